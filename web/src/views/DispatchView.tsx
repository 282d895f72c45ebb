/** Dispatch: request a plan (engine, horizon, time limit), watch it finish, and see its
 * routes on the map with numbered stops, its KPIs and its dropped orders. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, postJson } from "../api";
import { can } from "../auth";
import { useUi } from "../context";
import { ROUTE_COLOURS, type RouteDraw } from "../map/fleetMap";
import { type PlanRecord, type PlanSummary, routesToDraw } from "../plans";
import { MapPane } from "./MapPane";

const POLL_MS = 1000;

/** Now as a `datetime-local` value (minutes, the browser's zone). */
function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset(), 0, 0);
  return now.toISOString().slice(0, 16);
}

export function DispatchView() {
  const { t, time } = useUi();
  const writer = can("plans:write");
  const [plans, setPlans] = useState<PlanSummary[]>([]);
  const [plan, setPlan] = useState<PlanRecord | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [routes, setRoutes] = useState<RouteDraw[]>([]);

  const loadPlans = () =>
    api<{ plans: PlanSummary[] }>("/v1/dispatch/plans?limit=20")
      .then((r) => setPlans(r.plans))
      .catch((e: Error) => setError(e.message));

  useEffect(() => {
    void loadPlans();
  }, []);

  async function open(planId: string) {
    const record = await api<PlanRecord>(`/v1/dispatch/plans/${planId}`);
    setPlan(record);
    setRoutes(routesToDraw(record, ROUTE_COLOURS));
  }

  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(async () => {
      try {
        const record = await api<PlanRecord>(`/v1/dispatch/plans/${waiting}`);
        if (record.status !== "running" && record.status !== "pending") {
          setWaiting(null);
          await open(record.plan_id);
          await loadPlans();
        }
      } catch (e) {
        if (!(e instanceof ApiError && e.problem.status === 404)) setError((e as Error).message); // 404: not made yet
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting]);

  async function request(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const hours = Number(form.get("hours"));
    const start = form.get("start") ? new Date(String(form.get("start"))) : new Date(); // the browser's zone
    try {
      const accepted = await postJson<{ plan_id: string }>("/v1/dispatch/plans", {
        engine: form.get("engine"),
        horizon_start: start.toISOString(),
        horizon_end: new Date(start.getTime() + hours * 3600_000).toISOString(),
        time_limit_s: Number(form.get("limit")),
      });
      setError(null);
      setWaiting(accepted.plan_id);
    } catch (e) {
      setError(e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message);
    }
  }

  return (
    <main class="split">
      <MapPane routes={routes} label={t("routes")} />
      <aside class="side">
        <h1>{t("dispatch")}</h1>
        {writer ? (
          <form onSubmit={request} class="plan-form" aria-label={t("request_plan")}>
            <label>
              {t("engine")}
              <select name="engine">
                <option value="optimiser">optimiser</option>
                <option value="greedy">greedy</option>
              </select>
            </label>
            <label>
              {t("horizon_start")} <input name="start" type="datetime-local" value={localNow()} />
            </label>
            <label>
              {t("horizon_hours")} <input name="hours" type="number" min="1" max="72" value="24" />
            </label>
            <label>
              {t("time_limit")} <input name="limit" type="number" min="1" max="60" value="5" />
            </label>
            <button type="submit" disabled={waiting !== null} data-action="request-plan">
              {t("request_plan")}
            </button>
          </form>
        ) : (
          <p class="notice">{t("read_only")}</p>
        )}
        {waiting && <p role="status" aria-busy="true">… {waiting}</p>}
        {error && <p role="alert" class="error">{error}</p>}
        <h2>{t("plans")}</h2>
        <ul class="plans">
          {plans.map((p) => (
            <li key={p.plan_id}>
              <button type="button" onClick={() => void open(p.plan_id)} aria-pressed={plan?.plan_id === p.plan_id}>
                {time(p.requested_at)} · {p.engine} · {p.status}
              </button>
            </li>
          ))}
        </ul>
        {plan && (
          <section aria-labelledby="plan-title" class="plan" data-plan={plan.plan_id} data-status={plan.status}>
            <h2 id="plan-title">
              {plan.engine} · {plan.status}
            </h2>
            {plan.error && <p class="error">{plan.error}</p>}
            {plan.kpis && (
              <dl class="facts">
                {Object.entries(plan.kpis)
                  .filter((kv): kv is [string, number | null] => kv[1] === null || typeof kv[1] === "number")
                  .map(([k, v]) => (
                  <>
                    <dt key={`k-${k}`}>{k}</dt>
                    <dd key={`v-${k}`}>{v == null ? "–" : v.toLocaleString(undefined, { maximumFractionDigits: 2 })}</dd>
                  </>
                ))}
              </dl>
            )}
            <h3>{t("routes")} ({plan.routes.length})</h3>
            <ul class="routes">
              {routes.map((r) => {
                const record = plan.routes.find((x) => x.vehicle_id === r.vehicle_id);
                return (
                  <li key={r.vehicle_id} data-route={r.vehicle_id}>
                    <span class="dot" style={{ background: r.colour }} aria-hidden="true" /> {r.vehicle_id}: {r.stops.length} ·{" "}
                    {record?.distance_km.toFixed(1)} km
                  </li>
                );
              })}
            </ul>
            <h3>
              {t("dropped")} ({plan.dropped.length})
            </h3>
            <ul>
              {plan.dropped.map((d) => (
                <li key={d.order_id}>
                  {d.order_id.slice(0, 8)} · {d.reason} {d.detail}
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </main>
  );
}
