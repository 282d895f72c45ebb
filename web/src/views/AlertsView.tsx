/** Open excursions and alerts, live: derived from the vehicle states the socket keeps current. */
import { useUi } from "../context";
import { openExcursions } from "../fleet";
import { formatCelsius } from "../i18n";
import { useFleetVersion } from "../hooks";

export function AlertsView() {
  const { fleet, t, time } = useUi();
  useFleetVersion(fleet);
  const excursions = openExcursions(fleet.states.values());
  const alerts = [...fleet.states.values()].flatMap((s) => (s.alerts ?? []).map((a) => ({ ...a, vehicle_id: s.vehicle_id })));
  alerts.sort((a, b) => a.opened_at.localeCompare(b.opened_at));

  return (
    <main class="page" tabIndex={0}>
      <h1>{t("alerts")}</h1>
      <section aria-labelledby="exc-title">
        <h2 id="exc-title">
          {t("excursions")} ({excursions.length})
        </h2>
        <table class="data" id="excursions">
          <thead>
            <tr>
              <th scope="col">{t("vehicle")}</th>
              <th scope="col">{t("channel")}</th>
              <th scope="col">{t("temperature")}</th>
              <th scope="col">{t("band")}</th>
              <th scope="col">{t("condition")}</th>
            </tr>
          </thead>
          <tbody>
            {excursions.map((e) => (
              <tr key={`${e.vehicle_id}-${e.channel}`} class={`cond-${e.condition}`} data-vehicle={e.vehicle_id}>
                <td>{e.vehicle_id}</td>
                <td>{e.channel}</td>
                <td>{formatCelsius(e.celsius)}</td>
                <td>
                  {formatCelsius(e.band[0])} … {formatCelsius(e.band[1])}
                </td>
                <td>{e.condition}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">
          {t("open_alerts")} ({alerts.length})
        </h2>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("vehicle")}</th>
              <th scope="col">{t("kind")}</th>
              <th scope="col">{t("since")}</th>
              <th scope="col">{t("detail")}</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.alert_id}>
                <td>{a.vehicle_id}</td>
                <td>{a.kind}</td>
                <td>{time(a.opened_at)}</td>
                <td>{a.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
