/** Fleet admin: vehicles (`/v1/fleet/vehicles`) and sites (`/v1/sites`) listed, created,
 * edited and deactivated. Writes show only with the permission (`vehicles:write`: admins;
 * `sites:write`: dispatchers). */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, query, sendJson } from "../api";
import { can } from "../auth";
import { useUi } from "../context";
import type { SiteRecord, VehicleRecord } from "../fleetAdmin";
import { SiteEditor } from "./SiteEditor";
import { VehicleEditor } from "./VehicleEditor";

interface Page<T> {
  items: T[];
  total: number;
}

type Editing = { kind: "vehicle"; record: VehicleRecord | null } | { kind: "site"; record: SiteRecord | null } | null;

export function FleetView() {
  const { t } = useUi();
  const [vehicles, setVehicles] = useState<Page<VehicleRecord>>({ items: [], total: 0 });
  const [sites, setSites] = useState<Page<SiteRecord>>({ items: [], total: 0 });
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const vehicleWriter = can("vehicles:write");
  const siteWriter = can("sites:write");

  const load = async () => {
    try {
      const [v, s] = await Promise.all([
        api<Page<VehicleRecord>>(`/v1/fleet/vehicles${query({ q: text, limit: 200 })}`),
        api<Page<SiteRecord>>(`/v1/sites${query({ q: text, limit: 200 })}`),
      ]);
      setVehicles(v);
      setSites(s);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  async function deactivate(path: string, id: string, method: "PATCH" | "DELETE") {
    try {
      if (method === "PATCH") await sendJson("PATCH", path, { active: false });
      else await api(path, { method: "DELETE" });
      setNotice(`${id}: ${t("deactivated")}`);
      await load();
    } catch (e) {
      setError(e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message);
    }
  }

  const done = (saved: boolean) => {
    if (saved) setNotice(t("saved"));
    setEditing(null);
    void load();
  };

  return (
    <main class="page fleet">
      <h1>{t("fleet")}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          {t("text")} <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">{t("apply")}</button>
      </form>
      {!vehicleWriter && !siteWriter && <p class="notice">{t("read_only")}</p>}
      {error && <p role="alert" class="error">{error}</p>}
      {notice && <p role="status">{notice}</p>}
      {editing?.kind === "vehicle" && <VehicleEditor record={editing.record} sites={sites.items} onDone={done} />}
      {editing?.kind === "site" && <SiteEditor record={editing.record} onDone={done} />}
      <section aria-labelledby="fleet-vehicles">
        <h2 id="fleet-vehicles">
          {t("vehicles")} ({vehicles.total})
        </h2>
        {vehicleWriter && (
          <button type="button" onClick={() => setEditing({ kind: "vehicle", record: null })}>
            {t("new_vehicle")}
          </button>
        )}
        <table id="fleet-vehicles-table">
          <thead>
            <tr>
              <th scope="col">{t("vehicle")}</th>
              <th scope="col">{t("body_type")}</th>
              <th scope="col">{t("compartments")}</th>
              <th scope="col">{t("depot")}</th>
              <th scope="col">{t("shift")}</th>
              <th scope="col">{t("status")}</th>
              {vehicleWriter && <th scope="col">{t("actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {vehicles.items.map((v) => (
              <tr key={v.vehicle_id} data-vehicle={v.vehicle_id}>
                <th scope="row">
                  {v.vehicle_id} <small>{v.name}</small>
                </th>
                <td>{v.body_type}</td>
                <td>{v.compartments.map((c) => `${c.channel} ${c.zone} ${c.setpoint_celsius ?? "–"} °C ×${c.pallets}`).join(", ")}</td>
                <td>{v.depot_site_id ?? "–"}</td>
                <td>{v.shift ? `${v.shift.start.slice(0, 5)}–${v.shift.end.slice(0, 5)}` : "–"}</td>
                <td data-field="active">{v.active ? t("active") : t("inactive")}</td>
                {vehicleWriter && (
                  <td>
                    <button type="button" onClick={() => setEditing({ kind: "vehicle", record: v })}>
                      {t("edit")}
                    </button>{" "}
                    {v.active && (
                      <button type="button" onClick={() => void deactivate(`/v1/fleet/vehicles/${encodeURIComponent(v.vehicle_id)}`, v.vehicle_id, "PATCH")}>
                        {t("deactivate")}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="fleet-sites">
        <h2 id="fleet-sites">
          {t("sites")} ({sites.total})
        </h2>
        {siteWriter && (
          <button type="button" onClick={() => setEditing({ kind: "site", record: null })}>
            {t("new_site")}
          </button>
        )}
        <table id="fleet-sites-table">
          <thead>
            <tr>
              <th scope="col">{t("site")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("zones")}</th>
              <th scope="col">Lat/Lon</th>
              <th scope="col">{t("status")}</th>
              {siteWriter && <th scope="col">{t("actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {sites.items.map((s) => (
              <tr key={s.site_id} data-site={s.site_id}>
                <th scope="row">
                  {s.site_id} <small>{s.name}</small>
                </th>
                <td>{s.role}</td>
                <td>{(s.zones ?? []).join(", ")}</td>
                <td>
                  {s.latitude.toFixed(4)}, {s.longitude.toFixed(4)}
                </td>
                <td data-field="active">{s.active === false ? t("inactive") : t("active")}</td>
                {siteWriter && (
                  <td>
                    <button type="button" onClick={() => setEditing({ kind: "site", record: s })}>
                      {t("edit")}
                    </button>{" "}
                    {s.active !== false && (
                      <button type="button" onClick={() => void deactivate(`/v1/sites/${encodeURIComponent(s.site_id)}`, s.site_id, "DELETE")}>
                        {t("deactivate")}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
