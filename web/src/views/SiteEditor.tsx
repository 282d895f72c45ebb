/** Create (PUT) or edit (PATCH) a site; a 422 problem's reason shows next to its field. */
import { useState } from "preact/hooks";
import { ApiError, sendJson } from "../api";
import { useUi } from "../context";
import { type FieldErrors, type SiteForm, type SiteRecord, fieldErrors, siteBody, siteForm } from "../fleetAdmin";
import { FieldError, described } from "./FieldError";

const ROLES = ["both", "pickup", "dropoff"];
const ZONES = ["chilled", "frozen", "ambient"];
const FIELDS = new Set(["name", "address", "latitude", "longitude", "role", "zones"]);

export function SiteEditor({ record, onDone }: { record: SiteRecord | null; onDone: (saved: boolean) => void }) {
  const { t } = useUi();
  const [form, setForm] = useState<SiteForm>(() => siteForm(record));
  const [id, setId] = useState(record?.site_id ?? "");
  const [errors, setErrors] = useState<FieldErrors>({ byField: {}, other: [] });
  const set = (patch: Partial<SiteForm>) => setForm({ ...form, ...patch });
  const err = (field: string) => errors.byField[field];

  async function save(event: Event) {
    event.preventDefault();
    try {
      await sendJson(record ? "PATCH" : "PUT", `/v1/sites/${encodeURIComponent(id.trim())}`, siteBody(form));
      onDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 422) setErrors(fieldErrors(e.problem, (f) => FIELDS.has(f.split(".")[0])));
      else setErrors({ byField: {}, other: [e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message] });
    }
  }

  const text = (field: "name" | "address" | "latitude" | "longitude", label: string, numeric = false) => (
    <>
      <label>
        {label}
        <input
          type="text"
          inputMode={numeric ? "decimal" : "text"}
          value={form[field]}
          onInput={(e) => set({ [field]: e.currentTarget.value })}
          {...described(`err-site-${field}`, err(field))}
        />
      </label>
      <FieldError id={`err-site-${field}`} reasons={err(field)} />
    </>
  );

  return (
    <form class="editor" onSubmit={save} aria-label={record ? `${t("edit")} ${record.site_id}` : t("new_site")}>
      <h2>{record ? `${t("edit")} ${record.site_id}` : t("new_site")}</h2>
      {errors.other.length > 0 && (
        <ul class="error" role="alert">
          {errors.other.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {!record && (
        <label>
          {t("site_id")}
          <input value={id} onInput={(e) => setId(e.currentTarget.value)} required pattern="[A-Za-z0-9._:\-]+" />
        </label>
      )}
      {text("name", t("name"))}
      {text("address", t("address"))}
      {text("latitude", t("latitude"), true)}
      {text("longitude", t("longitude"), true)}
      <label>
        {t("role")}
        <select value={form.role} onChange={(e) => set({ role: e.currentTarget.value })}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <fieldset {...described("err-site-zones", err("zones"))}>
        <legend>{t("zones")}</legend>
        {ZONES.map((z) => (
          <label key={z} class="check">
            <input
              type="checkbox"
              checked={form.zones.includes(z)}
              onChange={(e) => set({ zones: e.currentTarget.checked ? [...form.zones, z] : form.zones.filter((x) => x !== z) })}
            />
            {z}
          </label>
        ))}
        <FieldError id="err-site-zones" reasons={err("zones")} />
      </fieldset>
      <div class="buttons">
        <button type="submit" data-action="save-site">
          {t("save")}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t("close")}
        </button>
      </div>
    </form>
  );
}
