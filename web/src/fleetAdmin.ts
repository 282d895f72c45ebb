/** Fleet admin's pure parts: vehicle and site forms to request bodies, and a 422 problem's
 * reasons by field so each shows next to its input. */
import type { Problem } from "./api";

export interface FieldErrors {
  byField: Record<string, string[]>;
  /** Reasons naming no field the form has. */
  other: string[];
}

/** `field: reason` strings (the orders service's rules) and `{field, reason}` objects
 * (request validation) alike; the detail line when the problem lists nothing. */
export function fieldErrors(problem: Problem, known: (field: string) => boolean): FieldErrors {
  const out: FieldErrors = { byField: {}, other: [] };
  const add = (field: string, reason: string) => {
    if (field && known(field)) (out.byField[field] ??= []).push(reason);
    else out.other.push(field ? `${field}: ${reason}` : reason);
  };
  const items: unknown[] = Array.isArray(problem.errors) ? problem.errors : [];
  for (const item of items) {
    if (typeof item === "string") {
      const at = item.indexOf(": ");
      if (at > 0) add(item.slice(0, at), item.slice(at + 2));
      else add("", item);
    } else if (item && typeof item === "object") {
      const e = item as { field?: string; reason?: string; msg?: string; loc?: (string | number)[] };
      const field = e.field ?? (e.loc ?? []).slice(1).join(".");
      add(field, e.reason ?? e.msg ?? "");
    }
  }
  if (items.length === 0 && problem.detail) {
    const match = /^([A-Za-z0-9_.]+): (.*)$/.exec(problem.detail);
    if (match) add(match[1], match[2]);
    else add("", problem.detail);
  }
  return out;
}

export interface CompartmentForm {
  channel: string;
  zone: string;
  setpoint: string;
  pallets: string;
}

export interface VehicleForm {
  name: string;
  plate: string;
  body_type: string;
  compartments: CompartmentForm[];
  weight_capacity_kg: string;
  depot_site_id: string;
  shift_start: string;
  shift_end: string;
  weekdays: number[];
  device_ids: string;
  active: boolean;
}

const num = (text: string): number | null => (text.trim() === "" ? null : Number(text));

/** The body of a PUT (new) or PATCH (edit) from the form; blanks are left unset. */
export function vehicleBody(form: VehicleForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: form.name,
    plate: form.plate,
    body_type: form.body_type,
    compartments: form.compartments.map((c) => ({
      channel: c.channel.trim(),
      zone: c.zone,
      setpoint_celsius: num(c.setpoint),
      pallets: num(c.pallets) ?? 0,
    })),
    device_ids: form.device_ids
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean),
    active: form.active,
  };
  const weight = num(form.weight_capacity_kg);
  if (weight !== null) body.weight_capacity_kg = weight;
  if (form.depot_site_id) body.depot_site_id = form.depot_site_id;
  if (form.shift_start && form.shift_end) {
    body.shift = { start: form.shift_start, end: form.shift_end, weekdays: form.weekdays };
  }
  return body;
}

export interface VehicleRecord {
  vehicle_id: string;
  name?: string;
  plate?: string;
  body_type: string;
  compartments: { channel: string; zone: string; setpoint_celsius: number | null; pallets: number }[];
  weight_capacity_kg?: number | null;
  depot_site_id?: string | null;
  shift?: { start: string; end: string; weekdays: number[] } | null;
  device_ids?: string[];
  active: boolean;
}

export function vehicleForm(record: VehicleRecord | null): VehicleForm {
  if (!record) {
    return {
      name: "",
      plate: "",
      body_type: "chilled",
      compartments: [{ channel: "A", zone: "chilled", setpoint: "3", pallets: "16" }],
      weight_capacity_kg: "",
      depot_site_id: "",
      shift_start: "08:00",
      shift_end: "18:00",
      weekdays: [0, 1, 2, 3, 4],
      device_ids: "",
      active: true,
    };
  }
  return {
    name: record.name ?? "",
    plate: record.plate ?? "",
    body_type: record.body_type,
    compartments: record.compartments.map((c) => ({
      channel: c.channel,
      zone: c.zone,
      setpoint: c.setpoint_celsius == null ? "" : String(c.setpoint_celsius),
      pallets: String(c.pallets),
    })),
    weight_capacity_kg: record.weight_capacity_kg == null ? "" : String(record.weight_capacity_kg),
    depot_site_id: record.depot_site_id ?? "",
    shift_start: record.shift?.start.slice(0, 5) ?? "",
    shift_end: record.shift?.end.slice(0, 5) ?? "",
    weekdays: record.shift?.weekdays ?? [0, 1, 2, 3, 4, 5, 6],
    device_ids: (record.device_ids ?? []).join(", "),
    active: record.active,
  };
}

export interface SiteRecord {
  site_id: string;
  name?: string;
  address?: string;
  latitude: number;
  longitude: number;
  role?: string;
  zones?: string[];
  active?: boolean;
}

export interface SiteForm {
  name: string;
  address: string;
  latitude: string;
  longitude: string;
  role: string;
  zones: string[];
}

export function siteForm(record: SiteRecord | null): SiteForm {
  return {
    name: record?.name ?? "",
    address: record?.address ?? "",
    latitude: record ? String(record.latitude) : "",
    longitude: record ? String(record.longitude) : "",
    role: record?.role ?? "both",
    zones: record?.zones ?? ["chilled"],
  };
}

export function siteBody(form: SiteForm): Record<string, unknown> {
  return {
    name: form.name,
    address: form.address,
    latitude: num(form.latitude),
    longitude: num(form.longitude),
    role: form.role,
    zones: form.zones,
  };
}
