/** Temperature series and their SVG geometry (pure): one series per compartment channel,
 * scaled into a chart's box, with gaps where a reading was missing. */
import type { TemperatureRow } from "./history";

export interface Point {
  t: number; // epoch ms
  v: number | null; // null: no reading (a gap in the line)
}

export interface Series {
  channel: string;
  points: Point[];
}

export interface Frame {
  t0: number;
  t1: number;
  v0: number;
  v1: number;
  width: number;
  height: number;
}

/** The log's rows split per channel, in time order, channels sorted. */
export function seriesByChannel(rows: TemperatureRow[]): Series[] {
  const byChannel = new Map<string, Point[]>();
  for (const row of rows) {
    const t = Date.parse(row.device_time);
    for (const r of row.readings) {
      const points = byChannel.get(r.channel) ?? [];
      points.push({ t, v: typeof r.celsius === "number" ? r.celsius : null });
      byChannel.set(r.channel, points);
    }
  }
  return [...byChannel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, points]) => ({ channel, points: points.sort((a, b) => a.t - b.t) }));
}

/** The series' points from `fromMs` on. */
export function since(series: Series, fromMs: number): Series {
  return { channel: series.channel, points: series.points.filter((p) => p.t >= fromMs) };
}

/** A box holding every value and the extra lines (band limits), padded by a tenth, at
 * least 2 °C tall so a flat line does not fill the chart with noise. */
export function frameOf(points: Point[], extra: (number | null | undefined)[], width: number, height: number): Frame {
  const values = [...points.map((p) => p.v), ...extra].filter((v): v is number => typeof v === "number");
  const times = points.map((p) => p.t);
  let v0 = values.length ? Math.min(...values) : 0;
  let v1 = values.length ? Math.max(...values) : 1;
  if (v1 - v0 < 2) {
    const mid = (v0 + v1) / 2;
    [v0, v1] = [mid - 1, mid + 1];
  }
  const pad = (v1 - v0) / 10;
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 1;
  return { t0, t1: t1 > t0 ? t1 : t0 + 1, v0: v0 - pad, v1: v1 + pad, width, height };
}

export function xOf(t: number, f: Frame): number {
  return ((t - f.t0) / (f.t1 - f.t0)) * f.width;
}

export function yOf(v: number, f: Frame): number {
  return f.height - ((v - f.v0) / (f.v1 - f.v0)) * f.height;
}

/** An SVG path: a new sub-path after every gap, two decimals. */
export function pathOf(points: Point[], f: Frame): string {
  const parts: string[] = [];
  let pen = false;
  for (const p of points) {
    if (p.v === null) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? "L" : "M"}${xOf(p.t, f).toFixed(2)},${yOf(p.v, f).toFixed(2)}`);
    pen = true;
  }
  return parts.join(" ");
}

/** Minimum, maximum and last reading of a series (null when it has none). */
export function summary(points: Point[]): { min: number; max: number; last: number } | null {
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  if (!values.length) return null;
  return { min: Math.min(...values), max: Math.max(...values), last: values[values.length - 1] };
}
