/** Live vehicle states as the console holds them (pure: no DOM, no network).
 * Shapes follow `VehicleStateChanged` (libs/contracts tracking.py). */

export type Motion = "moving" | "stopped" | "idle" | "offline";
export type Condition = "in_band" | "out_of_band" | "excursion" | "defrost" | "no_reading" | "unmonitored";

export interface Reading {
  channel: string;
  celsius: number | null;
  state?: string;
  setpoint_celsius?: number | null;
}

export interface Compartment {
  channel: string;
  zone?: string | null;
  band_low_celsius?: number | null;
  band_high_celsius?: number | null;
  celsius?: number | null;
  condition: Condition;
  excursion_id?: string | null;
}

export interface ActiveAlert {
  alert_id: string;
  kind: string;
  opened_at: string;
  detail?: string;
}

export interface VehicleState {
  vehicle_id: string;
  device_time: string;
  latitude: number;
  longitude: number;
  speed_kmh?: number | null;
  heading?: number | null;
  motion: Motion;
  temperatures?: Reading[];
  compartments?: Compartment[];
  alerts?: ActiveAlert[];
  trip_id?: string | null;
  trip_started_at?: string | null;
  trip_distance_km?: number | null;
  stop_id?: string | null;
  stop_started_at?: string | null;
  door_open?: boolean | null;
}

export type Status = "excursion" | "warning" | "alert" | Motion;

/** The one status a marker shows: cold-chain trouble first, then other alerts, then motion. */
export function statusOf(state: VehicleState): Status {
  const compartments = state.compartments ?? [];
  if (compartments.some((c) => c.condition === "excursion")) return "excursion";
  if (compartments.some((c) => c.condition === "out_of_band")) return "warning";
  if ((state.alerts ?? []).length > 0) return "alert";
  return state.motion;
}

export const STATUS_COLOUR: Record<Status, string> = {
  excursion: "#c8102e",
  warning: "#e87722",
  alert: "#8e44ad",
  moving: "#1a7f37",
  idle: "#b58900",
  stopped: "#1f6feb",
  offline: "#6e7781",
};

/** A setpoint for each compartment: the reading's own, else the middle of the band. */
export function setpointOf(state: VehicleState, channel: string): number | null {
  const reading = (state.temperatures ?? []).find((r) => r.channel === channel);
  if (reading?.setpoint_celsius != null) return reading.setpoint_celsius;
  const compartment = (state.compartments ?? []).find((c) => c.channel === channel);
  if (compartment?.band_low_celsius != null && compartment.band_high_celsius != null) {
    return (compartment.band_low_celsius + compartment.band_high_celsius) / 2;
  }
  return null;
}

export interface CompartmentRow {
  channel: string;
  celsius: number | null;
  setpoint: number | null;
  low: number | null;
  high: number | null;
  condition: Condition;
}

/** What the panel shows per compartment: the newest fix's reading (tracking's judgement of
 * the band lags by its reorder window), the band and condition from tracking, and channels
 * reported but not registered as unmonitored. */
export function compartmentRows(state: VehicleState): CompartmentRow[] {
  const readings = new Map((state.temperatures ?? []).map((r) => [r.channel, r]));
  const rows: CompartmentRow[] = (state.compartments ?? []).map((c) => ({
    channel: c.channel,
    celsius: readings.get(c.channel)?.celsius ?? c.celsius ?? null,
    setpoint: setpointOf(state, c.channel),
    low: c.band_low_celsius ?? null,
    high: c.band_high_celsius ?? null,
    condition: c.condition,
  }));
  for (const [channel, r] of readings) {
    if (r.state === "unused" || rows.some((row) => row.channel === channel)) continue;
    rows.push({ channel, celsius: r.celsius, setpoint: r.setpoint_celsius ?? null, low: null, high: null, condition: "unmonitored" });
  }
  return rows.sort((a, b) => a.channel.localeCompare(b.channel));
}

/** Every vehicle's newest state. A state older than the one held (by device time) is
 * ignored, so a late or replayed message never moves a truck backwards. */
export class FleetStore {
  readonly states = new Map<string, VehicleState>();
  version = 0;
  private listeners = new Set<() => void>();

  apply(state: VehicleState): boolean {
    const held = this.states.get(state.vehicle_id);
    if (held && Date.parse(held.device_time) > Date.parse(state.device_time)) return false;
    this.states.set(state.vehicle_id, state);
    this.version++;
    for (const listener of this.listeners) listener();
    return true;
  }

  applyAll(states: VehicleState[]): void {
    for (const state of states) {
      const held = this.states.get(state.vehicle_id);
      if (!held || Date.parse(held.device_time) <= Date.parse(state.device_time)) {
        this.states.set(state.vehicle_id, state);
      }
    }
    this.version++;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private order: string[] | null = null; // vehicle ids sorted; rebuilt only when one is added

  sorted(): VehicleState[] {
    if (!this.order || this.order.length !== this.states.size) {
      this.order = [...this.states.keys()].sort(); // code-unit order: a localeCompare sort of 10,000 ids is a long task
    }
    return this.order.map((id) => this.states.get(id) as VehicleState);
  }
}

export interface OpenExcursion {
  vehicle_id: string;
  channel: string;
  excursion_id: string | null;
  celsius: number | null;
  band: [number | null, number | null];
  condition: Condition;
}

/** Compartments in excursion or out of band (within grace), worst first. */
export function openExcursions(states: Iterable<VehicleState>): OpenExcursion[] {
  const found: OpenExcursion[] = [];
  for (const state of states) {
    for (const c of state.compartments ?? []) {
      if (c.condition !== "excursion" && c.condition !== "out_of_band") continue;
      found.push({
        vehicle_id: state.vehicle_id,
        channel: c.channel,
        excursion_id: c.excursion_id ?? null,
        celsius: c.celsius ?? null,
        band: [c.band_low_celsius ?? null, c.band_high_celsius ?? null],
        condition: c.condition,
      });
    }
  }
  const rank = (e: OpenExcursion) => (e.condition === "excursion" ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b) || a.vehicle_id.localeCompare(b.vehicle_id));
}
