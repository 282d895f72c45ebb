/** One order's temperature record (`GET /v1/orders/{id}/temperature-record`): its verdict
 * and reasons, each compartment's figures and readings as a chart, and the CSV and PDF. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, download } from "../api";
import type { Series } from "../charts";
import { useUi } from "../context";
import { formatCelsius } from "../i18n";
import { TempChart } from "./TempChart";

interface CompartmentRecord {
  channel: string;
  band: { low_celsius: number; high_celsius: number } | null;
  reading_count: number;
  min_celsius: number | null;
  max_celsius: number | null;
  mean_celsius: number | null;
  minutes_out_of_band: number;
  excursions: unknown[];
  gaps: unknown[];
  readings?: { at: string; celsius: number | null }[];
}

export interface TemperatureRecord {
  order_id: string;
  order_number: string;
  vehicle_id: string | null;
  status: string;
  from: string;
  to: string;
  verdict: string;
  verdict_reasons: string[];
  compartments: CompartmentRecord[];
}

export function seriesOf(c: CompartmentRecord): Series {
  return { channel: c.channel, points: (c.readings ?? []).map((r) => ({ t: Date.parse(r.at), v: r.celsius })) };
}

export function OrderRecord({ orderId, onClose }: { orderId: string; onClose: () => void }) {
  const { t, time } = useUi();
  const [record, setRecord] = useState<TemperatureRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const path = `/v1/orders/${encodeURIComponent(orderId)}/temperature-record`;

  useEffect(() => {
    setRecord(null);
    api<TemperatureRecord>(path)
      .then(setRecord)
      .catch((e: Error) => setError(e instanceof ApiError && e.problem.status === 404 ? t("no_record") : e.message));
  }, [orderId]);

  const save = (fmt: "csv" | "pdf") =>
    download(`${path}.${fmt}`, `temperature-record-${orderId}.${fmt}`)
      .then(setSaved)
      .catch((e: Error) => setError(e.message));

  return (
    <section class="order-record" aria-labelledby="record-title" data-order={orderId}>
      <div class="panel-head">
        <h2 id="record-title">
          {t("temperature_record")} {record?.order_number ?? ""}
        </h2>
        <button type="button" onClick={onClose}>
          {t("close")}
        </button>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {!record && !error && <p aria-busy="true">…</p>}
      {record && (
        <>
          <p>
            <strong class={`verdict verdict-${record.verdict}`} data-field="verdict">
              {record.verdict}
            </strong>{" "}
            · {record.vehicle_id ?? "–"} · {time(record.from)} – {time(record.to)}
          </p>
          {record.verdict_reasons.length > 0 && (
            <ul data-field="reasons">
              {record.verdict_reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          <div class="buttons">
            <button type="button" onClick={() => void save("csv")} data-action="record-csv">
              CSV
            </button>
            <button type="button" onClick={() => void save("pdf")} data-action="record-pdf">
              PDF
            </button>
            {saved && <span role="status">{saved}</span>}
          </div>
          {record.compartments.map((c) => (
            <div key={c.channel} class="record-compartment" data-channel={c.channel}>
              <h3>
                {t("channel")} {c.channel}
                {c.band && ` · ${t("band")} ${formatCelsius(c.band.low_celsius)} … ${formatCelsius(c.band.high_celsius)}`}
              </h3>
              <p>
                {c.reading_count} {t("readings")} · {t("min")} {formatCelsius(c.min_celsius)} · {t("max")}{" "}
                {formatCelsius(c.max_celsius)} · {t("out_of_band_minutes")} {c.minutes_out_of_band.toFixed(1)} ·{" "}
                {t("excursions")} {c.excursions.length}
              </p>
              {(c.readings ?? []).length > 0 && (
                <TempChart series={seriesOf(c)} low={c.band?.low_celsius} high={c.band?.high_celsius} />
              )}
            </div>
          ))}
        </>
      )}
    </section>
  );
}
