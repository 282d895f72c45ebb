/** One vehicle: position, motion, each compartment against its band with a sparkline of
 * its last hour, open alerts, and its route in the newest finished plan. */
import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api";
import { useUi } from "../context";
import { compartmentRows, statusOf } from "../fleet";
import { formatCelsius } from "../i18n";
import { useFleetVersion } from "../hooks";
import { type PlanRecord, type PlanRoute, latestRouteOf } from "../plans";
import { type Series, seriesByChannel } from "../charts";
import { type TemperatureRow, allPages } from "../history";
import { TempChart } from "./TempChart";

const SPARK_MS = 3600_000; // the last hour
const SPARK_REFRESH_MS = 15_000;

/** Each compartment's readings of the last hour, from the temperature log, refreshed. */
function useLastHour(vehicleId: string): Map<string, Series> {
  const [series, setSeries] = useState<Map<string, Series>>(new Map());
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      const to = new Date(Date.now() + 60_000);
      const from = new Date(to.getTime() - SPARK_MS - 60_000);
      const path = `/v1/vehicles/${encodeURIComponent(vehicleId)}/temperatures${query({ from: from.toISOString(), to: to.toISOString(), limit: 5000 })}`;
      const rows = await allPages<TemperatureRow>((p) => api<unknown>(p), path, "readings", 5000).catch(() => null);
      if (!stopped && rows) setSeries(new Map(seriesByChannel(rows.items).map((s) => [s.channel, s])));
    };
    setSeries(new Map());
    void load();
    const timer = setInterval(() => void load(), SPARK_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [vehicleId]);
  return series;
}

export function VehiclePanel({ vehicleId, onClose }: { vehicleId: string; onClose: () => void }) {
  const { fleet, t, time } = useUi();
  useFleetVersion(fleet, 300);
  const state = fleet.states.get(vehicleId);
  const [route, setRoute] = useState<PlanRoute | null | undefined>(undefined);
  const lastHour = useLastHour(vehicleId);

  useEffect(() => {
    setRoute(undefined);
    void latestRouteOf(vehicleId, (path) => api<PlanRecord>(path))
      .then(setRoute)
      .catch(() => setRoute(null));
  }, [vehicleId]);

  if (!state) return null;
  return (
    <section class="vehicle-panel" aria-labelledby="panel-title">
      <div class="panel-head">
        <h2 id="panel-title">{vehicleId}</h2>
        <button type="button" onClick={onClose}>{t("close")}</button>
      </div>
      <dl class="facts">
        <dt>{t("status")}</dt>
        <dd data-field="status">{statusOf(state)}</dd>
        <dt>{t("speed")}</dt>
        <dd>{state.speed_kmh == null ? "–" : `${state.speed_kmh.toFixed(0)} km/h`}</dd>
        <dt>{t("last_fix")}</dt>
        <dd data-field="last-fix">{time(state.device_time)}</dd>
        <dt>Lat/Lon</dt>
        <dd data-field="position">
          {state.latitude.toFixed(5)}, {state.longitude.toFixed(5)}
        </dd>
        {state.trip_started_at && (
          <>
            <dt>{t("trip")}</dt>
            <dd>
              {time(state.trip_started_at)}
              {state.trip_distance_km != null && `, ${state.trip_distance_km.toFixed(1)} km`}
            </dd>
          </>
        )}
        {state.stop_started_at && (
          <>
            <dt>{t("stop")}</dt>
            <dd>{time(state.stop_started_at)}</dd>
          </>
        )}
      </dl>
      <h3>{t("compartments")}</h3>
      <table class="compartments">
        <thead>
          <tr>
            <th scope="col">{t("channel")}</th>
            <th scope="col">{t("temperature")}</th>
            <th scope="col">{t("setpoint")}</th>
            <th scope="col">{t("band")}</th>
            <th scope="col">{t("condition")}</th>
            <th scope="col">{t("last_hour")}</th>
          </tr>
        </thead>
        <tbody>
          {compartmentRows(state).map((c) => (
            <tr key={c.channel} data-channel={c.channel} class={`cond-${c.condition}`}>
              <th scope="row">{c.channel}</th>
              <td data-field="celsius">{formatCelsius(c.celsius)}</td>
              <td>{formatCelsius(c.setpoint)}</td>
              <td data-field="band">
                {formatCelsius(c.low)} … {formatCelsius(c.high)}
              </td>
              <td>{c.condition}</td>
              <td>
                {lastHour.get(c.channel) ? (
                  <TempChart series={lastHour.get(c.channel) as Series} low={c.low} high={c.high} spark />
                ) : (
                  "–"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t("open_alerts")}</h3>
      {(state.alerts ?? []).length === 0 ? (
        <p>{t("none")}</p>
      ) : (
        <ul>
          {(state.alerts ?? []).map((a) => (
            <li key={a.alert_id}>
              {a.kind} · {time(a.opened_at)} {a.detail}
            </li>
          ))}
        </ul>
      )}
      <h3>{t("route")}</h3>
      {route === undefined ? (
        <p aria-busy="true">…</p>
      ) : route === null ? (
        <p>{t("no_route")}</p>
      ) : (
        <ol class="route-stops">
          {route.stops.map((s, i) => (
            <li key={`${s.order_id}-${s.kind}-${i}`}>
              {s.kind === "pickup" ? t("pickup") : t("delivery")} · {t("planned")} {time(s.arrival)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
