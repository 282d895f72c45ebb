/** A vehicle's history as the console reads it from the public history API (pure apart
 * from the `get` it is given): positions, temperature log, trips and stops, paged. */

export interface TrackPoint {
  device_time: string;
  latitude: number;
  longitude: number;
  speed_kmh?: number | null;
}

export interface LoggedReading {
  channel: string;
  celsius: number | null;
  state?: string | null;
  setpoint_celsius?: number | null;
}

export interface TemperatureRow {
  device_time: string;
  door_open?: boolean | null;
  defrost?: boolean | null;
  readings: LoggedReading[];
}

export interface Period {
  started_at: string;
  ended_at: string | null;
  distance_km?: number | null;
  duration_s?: number | null;
  latitude?: number | null;
  longitude?: number | null;
  trip_id?: string;
  stop_id?: string;
}

export interface Paged<T> {
  items: T[];
  /** True when the cap stopped paging before the API's last page. */
  truncated: boolean;
}

type Get = (path: string) => Promise<unknown>;

/** Every page of a history list (`next_cursor` passed back as `cursor`), up to `cap` items. */
export async function allPages<T>(get: Get, path: string, key: string, cap: number): Promise<Paged<T>> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = (await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path)) as Record<
      string,
      unknown
    >;
    items.push(...((page[key] as T[] | undefined) ?? []));
    cursor = (page.next_cursor as string | null | undefined) ?? null;
  } while (cursor && items.length < cap);
  return { items: items.slice(0, cap), truncated: cursor !== null || items.length > cap };
}

/** The index of the first track point at or after `iso` (the last one when none is). */
export function indexAt(track: TrackPoint[], iso: string): number {
  const at = Date.parse(iso);
  const found = track.findIndex((p) => Date.parse(p.device_time) >= at);
  return found === -1 ? Math.max(0, track.length - 1) : found;
}

/** Seconds a period lasted (up to `nowMs` while open). */
export function periodSeconds(period: Period, nowMs: number): number {
  const end = period.ended_at ? Date.parse(period.ended_at) : nowMs;
  return Math.max(0, (end - Date.parse(period.started_at)) / 1000);
}

/** "1 h 05 min", "4 min", "35 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
