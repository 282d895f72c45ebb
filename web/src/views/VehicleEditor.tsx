/** Create or edit a vehicle: compartments, depot, shift, devices; the orders service's 422
 * reasons show next to the fields they name. New: PUT; edit: PATCH of the form's fields. */
import { useState } from "preact/hooks";
import { ApiError, sendJson } from "../api";
import { useUi } from "../context";
import {
  type CompartmentForm,
  type FieldErrors,
  type SiteRecord,
  type VehicleForm,
  type VehicleRecord,
  fieldErrors,
  vehicleBody,
  vehicleForm,
} from "../fleetAdmin";
import { FieldError, described } from "./FieldError";

const BODIES = ["chilled", "frozen", "dual", "ambient"];
const ZONES = ["chilled", "frozen", "ambient"];
const DAYS = [0, 1, 2, 3, 4, 5, 6];
const FIELDS = /^(vehicle_id|name|plate|body_type|compartments(\.\d+(\.(channel|zone|setpoint_celsius|pallets))?)?|weight_capacity_kg|depot_site_id|shift(\..+)?|device_ids(\.\d+)?)$/;

interface Props {
  record: VehicleRecord | null;
  sites: SiteRecord[];
  onDone: (saved: boolean) => void;
}

export function VehicleEditor({ record, sites, onDone }: Props) {
  const { t } = useUi();
  const [form, setForm] = useState<VehicleForm>(() => vehicleForm(record));
  const [id, setId] = useState(record?.vehicle_id ?? "");
  const [errors, setErrors] = useState<FieldErrors>({ byField: {}, other: [] });
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<VehicleForm>) => setForm({ ...form, ...patch });
  const setPart = (i: number, patch: Partial<CompartmentForm>) =>
    set({ compartments: form.compartments.map((c, n) => (n === i ? { ...c, ...patch } : c)) });
  const err = (field: string) => errors.byField[field];
  const devicesErr = Object.entries(errors.byField)
    .filter(([k]) => k.startsWith("device_ids"))
    .flatMap(([, v]) => v);
  const shiftErr = Object.entries(errors.byField)
    .filter(([k]) => k.startsWith("shift"))
    .flatMap(([, v]) => v);

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      const path = `/v1/fleet/vehicles/${encodeURIComponent(id.trim())}`;
      await sendJson(record ? "PATCH" : "PUT", path, vehicleBody(form));
      onDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 422) setErrors(fieldErrors(e.problem, (f) => FIELDS.test(f)));
      else setErrors({ byField: {}, other: [e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="editor" onSubmit={save} aria-label={record ? `${t("edit")} ${record.vehicle_id}` : t("new_vehicle")}>
      <h2>{record ? `${t("edit")} ${record.vehicle_id}` : t("new_vehicle")}</h2>
      {errors.other.length > 0 && (
        <ul class="error" role="alert">
          {errors.other.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {!record && (
        <label>
          {t("vehicle_id")}
          <input value={id} onInput={(e) => setId(e.currentTarget.value)} required pattern="[A-Za-z0-9._:\-]+" />
        </label>
      )}
      <label>
        {t("name")} <input value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <label>
        {t("plate")} <input value={form.plate} onInput={(e) => set({ plate: e.currentTarget.value })} />
      </label>
      <label>
        {t("body_type")}
        <select value={form.body_type} onChange={(e) => set({ body_type: e.currentTarget.value })}>
          {BODIES.map((b) => (
            <option key={b}>{b}</option>
          ))}
        </select>
      </label>
      <fieldset {...described("err-compartments", err("compartments"))}>
        <legend>{t("compartments")}</legend>
        <FieldError id="err-compartments" reasons={err("compartments")} />
        {form.compartments.map((c, i) => {
          const at = (f: string) => err(`compartments.${i}.${f}`);
          return (
            <div class="compartment-row" key={i} data-compartment={i}>
              <label>
                {t("channel")}
                <input size={3} value={c.channel} onInput={(e) => setPart(i, { channel: e.currentTarget.value })} {...described(`err-c${i}-channel`, at("channel"))} />
              </label>
              <label>
                {t("zone")}
                <select value={c.zone} onChange={(e) => setPart(i, { zone: e.currentTarget.value })}>
                  {ZONES.map((z) => (
                    <option key={z}>{z}</option>
                  ))}
                </select>
              </label>
              <label>
                {t("setpoint")} (°C)
                <input
                  type="number"
                  step="0.1"
                  size={5}
                  value={c.setpoint}
                  onInput={(e) => setPart(i, { setpoint: e.currentTarget.value })}
                  {...described(`err-c${i}-setpoint`, at("setpoint_celsius"))}
                />
              </label>
              <label>
                {t("pallets")}
                <input type="number" size={3} value={c.pallets} onInput={(e) => setPart(i, { pallets: e.currentTarget.value })} {...described(`err-c${i}-pallets`, at("pallets"))} />
              </label>
              <button type="button" onClick={() => set({ compartments: form.compartments.filter((_, n) => n !== i) })}>
                {t("remove")}
              </button>
              <FieldError id={`err-c${i}-channel`} reasons={at("channel")} />
              <FieldError id={`err-c${i}-setpoint`} reasons={at("setpoint_celsius")} />
              <FieldError id={`err-c${i}-pallets`} reasons={at("pallets")} />
            </div>
          );
        })}
        {form.compartments.length < 4 && (
          <button
            type="button"
            onClick={() => set({ compartments: [...form.compartments, { channel: "B", zone: "frozen", setpoint: "-20", pallets: "8" }] })}
          >
            {t("add_compartment")}
          </button>
        )}
      </fieldset>
      <label>
        {t("weight_capacity")}
        <input type="number" value={form.weight_capacity_kg} onInput={(e) => set({ weight_capacity_kg: e.currentTarget.value })} {...described("err-weight", err("weight_capacity_kg"))} />
      </label>
      <FieldError id="err-weight" reasons={err("weight_capacity_kg")} />
      <label>
        {t("depot")}
        <select value={form.depot_site_id} onChange={(e) => set({ depot_site_id: e.currentTarget.value })} {...described("err-depot", err("depot_site_id"))}>
          <option value="">–</option>
          {sites.map((s) => (
            <option key={s.site_id} value={s.site_id}>
              {s.site_id} {s.name}
            </option>
          ))}
        </select>
      </label>
      <FieldError id="err-depot" reasons={err("depot_site_id")} />
      <fieldset {...described("err-shift", shiftErr)}>
        <legend>{t("shift")}</legend>
        <label>
          {t("from")} <input type="time" value={form.shift_start} onInput={(e) => set({ shift_start: e.currentTarget.value })} />
        </label>
        <label>
          {t("to")} <input type="time" value={form.shift_end} onInput={(e) => set({ shift_end: e.currentTarget.value })} />
        </label>
        <span class="weekdays">
          {DAYS.map((d) => (
            <label key={d}>
              <input
                type="checkbox"
                checked={form.weekdays.includes(d)}
                onChange={(e) =>
                  set({ weekdays: e.currentTarget.checked ? [...form.weekdays, d].sort() : form.weekdays.filter((x) => x !== d) })
                }
              />
              {t(`day${d}` as "day0")}
            </label>
          ))}
        </span>
        <FieldError id="err-shift" reasons={shiftErr} />
      </fieldset>
      <label>
        {t("devices")}
        <input value={form.device_ids} onInput={(e) => set({ device_ids: e.currentTarget.value })} {...described("err-devices", devicesErr)} />
      </label>
      <FieldError id="err-devices" reasons={devicesErr} />
      <label class="check">
        <input type="checkbox" checked={form.active} onChange={(e) => set({ active: e.currentTarget.checked })} /> {t("active")}
      </label>
      <div class="buttons">
        <button type="submit" disabled={busy} data-action="save-vehicle">
          {t("save")}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t("close")}
        </button>
      </div>
    </form>
  );
}
