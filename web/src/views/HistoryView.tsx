/** History: one vehicle over a time range — its track on the map with a replay slider,
 * its trips and stops, and a temperature chart per compartment, all from the public
 * history API (`/v1/vehicles/{id}/positions|temperatures|trips|stops`). */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, query } from "../api";
import { seriesByChannel } from "../charts";
import { useUi } from "../context";
import { useFleetVersion } from "../hooks";
import {
  type Paged,
  type Period,
  type TemperatureRow,
  type TrackPoint,
  allPages,
  formatDuration,
  indexAt,
  periodSeconds,
} from "../history";
import type { TrackDraw } from "../map/fleetMap";
import { MapPane } from "./MapPane";
import { TempChart } from "./TempChart";

const CAP = 20_000; // points per list; a day of 5 s fixes is 17,280
const PLAY_MS = 100;

interface Loaded {
  vehicle: string;
  track: Paged<TrackPoint>;
  readings: Paged<TemperatureRow>;
  trips: Period[];
  stops: Period[];
}

/** A Date as a `datetime-local` value in the browser's zone. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function startOfToday(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

export function HistoryView() {
  const { fleet, t, time } = useUi();
  useFleetVersion(fleet, 2000);
  const vehicles = fleet.sorted().map((s) => s.vehicle_id);
  const [vehicle, setVehicle] = useState<string>("");
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [from, setFrom] = useState(() => localInput(startOfToday()));
  const [to, setTo] = useState(() => localInput(new Date(Date.now() + 60_000)));

  async function load(event: Event) {
    event.preventDefault();
    const id = vehicle;
    const start = new Date(from); // the browser's zone
    const end = new Date(to);
    if (!id || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return;
    const base = `/v1/vehicles/${encodeURIComponent(id)}`;
    const range = { from: start.toISOString(), to: end.toISOString() };
    const get = (path: string) => api<unknown>(path);
    setBusy(true);
    setPlaying(false);
    try {
      const [track, readings, trips, stops] = await Promise.all([
        allPages<TrackPoint>(get, `${base}/positions${query({ ...range, limit: 10_000 })}`, "positions", CAP),
        allPages<TemperatureRow>(get, `${base}/temperatures${query({ ...range, limit: 10_000 })}`, "readings", CAP),
        allPages<Period>(get, `${base}/trips${query({ ...range, limit: 1000 })}`, "trips", 1000),
        allPages<Period>(get, `${base}/stops${query({ ...range, limit: 1000 })}`, "stops", 1000),
      ]);
      setLoaded({ vehicle: id, track, readings, trips: trips.items, stops: stops.items });
      setIndex(Math.max(0, track.items.length - 1));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (!playing || !loaded) return;
    const timer = setInterval(() => {
      setIndex((i) => {
        if (i >= loaded.track.items.length - 1) {
          setPlaying(false);
          return i;
        }
        return i + 1;
      });
    }, PLAY_MS);
    return () => clearInterval(timer);
  }, [playing, loaded]);

  const draw = useMemo<TrackDraw | null>(() => {
    if (!loaded) return null;
    return {
      points: loaded.track.items.map((p) => [p.latitude, p.longitude]),
      stops: loaded.stops
        .filter((s) => s.latitude != null && s.longitude != null)
        .map((s) => ({ latitude: s.latitude as number, longitude: s.longitude as number, label: time(s.started_at) })),
    };
  }, [loaded]);
  const series = useMemo(() => (loaded ? seriesByChannel(loaded.readings.items) : []), [loaded]);
  const point = loaded?.track.items[index];
  const cursor = useMemo(
    () => (point ? { at: [point.latitude, point.longitude] as [number, number], label: time(point.device_time) } : null),
    [point],
  );
  const bands = new Map((fleet.states.get(loaded?.vehicle ?? "")?.compartments ?? []).map((c) => [c.channel, c]));
  const jump = (iso: string) => loaded && setIndex(indexAt(loaded.track.items, iso));

  return (
    <main class="split">
      <MapPane track={draw} cursor={cursor} label={t("history")} />
      <aside class="side">
        <h1>{t("history")}</h1>
        <form class="history-form" onSubmit={load} aria-label={t("history_form")}>
          <label>
            {t("vehicle")}
            <select name="vehicle" value={vehicle} onChange={(e) => setVehicle(e.currentTarget.value)} required>
              <option value="">–</option>
              {vehicles.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("from")} <input name="from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required />
          </label>
          <label>
            {t("to")} <input name="to" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
          </label>
          <button type="submit" disabled={busy} data-action="show-history">
            {t("show")}
          </button>
        </form>
        {busy && <p role="status" aria-busy="true">…</p>}
        {error && <p role="alert" class="error">{error}</p>}
        {loaded && (
          <section class="history" data-vehicle={loaded.vehicle} aria-labelledby="history-title">
            <h2 id="history-title">{loaded.vehicle}</h2>
            <p data-field="counts">
              {loaded.track.items.length} {t("positions")}
              {loaded.track.truncated && ` (${t("truncated")})`} · {loaded.trips.length} {t("trips")} · {loaded.stops.length}{" "}
              {t("stops")}
            </p>
            {point && (
              <div class="replay">
                <label>
                  {t("replay")}
                  <input
                    type="range"
                    min={0}
                    max={loaded.track.items.length - 1}
                    value={index}
                    onInput={(e) => setIndex(Number(e.currentTarget.value))}
                    aria-valuetext={time(point.device_time)}
                  />
                </label>
                <output data-field="replay-at">
                  {time(point.device_time)} · {point.speed_kmh == null ? "–" : `${point.speed_kmh.toFixed(0)} km/h`}
                </output>
                <button type="button" onClick={() => setPlaying(!playing)} aria-pressed={playing}>
                  {playing ? t("pause") : t("play")}
                </button>
              </div>
            )}
            <h3>{t("trips")}</h3>
            <PeriodTable rows={loaded.trips} kind="trip" onPick={jump} />
            <h3>{t("stops")}</h3>
            <PeriodTable rows={loaded.stops} kind="stop" onPick={jump} />
            <h3>{t("temperatures")}</h3>
            {series.length === 0 ? (
              <p>{t("no_readings")}</p>
            ) : (
              series.map((s) => (
                <TempChart
                  key={s.channel}
                  series={s}
                  low={bands.get(s.channel)?.band_low_celsius}
                  high={bands.get(s.channel)?.band_high_celsius}
                />
              ))
            )}
            {loaded.readings.truncated && <p>{t("truncated")}</p>}
          </section>
        )}
      </aside>
    </main>
  );
}

function PeriodTable({ rows, kind, onPick }: { rows: Period[]; kind: "trip" | "stop"; onPick: (iso: string) => void }) {
  const { t, time } = useUi();
  if (rows.length === 0) return <p>{t("none")}</p>;
  const now = Date.now();
  return (
    <table class={`periods ${kind}s`}>
      <thead>
        <tr>
          <th scope="col">{t("since")}</th>
          <th scope="col">{t("until")}</th>
          <th scope="col">{kind === "trip" ? t("distance") : t("duration")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.trip_id ?? p.stop_id ?? p.started_at} data-open={p.ended_at ? "false" : "true"}>
            <td>
              <button type="button" class="link" onClick={() => onPick(p.started_at)}>
                {time(p.started_at)}
              </button>
            </td>
            <td>{p.ended_at ? time(p.ended_at) : t("open")}</td>
            <td>
              {kind === "trip"
                ? p.distance_km == null
                  ? "–"
                  : `${p.distance_km.toFixed(1)} km`
                : formatDuration(periodSeconds(p, now))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
