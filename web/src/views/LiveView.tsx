import { useState } from "preact/hooks";
import { useUi } from "../context";
import { STATUS_COLOUR, statusOf } from "../fleet";
import { useFleetVersion } from "../hooks";
import { MapPane } from "./MapPane";
import { VehiclePanel } from "./VehiclePanel";

export function LiveView() {
  const { fleet, t } = useUi();
  useFleetVersion(fleet);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const shown = fleet.sorted().filter((s) => s.vehicle_id.toLowerCase().includes(filter.toLowerCase()));

  return (
    <main class="split">
      <MapPane selected={selected} onSelect={setSelected} label={t("map")} />
      <aside class="side">
        {selected ? (
          <VehiclePanel vehicleId={selected} onClose={() => setSelected(null)} />
        ) : (
          <section aria-labelledby="vehicles-title">
            <h2 id="vehicles-title">
              {t("vehicles")} ({fleet.states.size})
            </h2>
            <label>
              {t("filter_vehicles")}
              <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
            </label>
            <ul class="vehicle-list">
              {shown.slice(0, 300).map((s) => (
                <li key={s.vehicle_id}>
                  <button type="button" onClick={() => setSelected(s.vehicle_id)} data-vehicle={s.vehicle_id}>
                    <span class="dot" style={{ background: STATUS_COLOUR[statusOf(s)] }} aria-hidden="true" />
                    {s.vehicle_id} <small>{statusOf(s)}</small>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </main>
  );
}
