/** Dispatch plan records as `GET /v1/dispatch/plans/{id}` returns them, and what the map draws of them. */
import type { RouteDraw } from "./map/fleetMap";

export interface PlanStop {
  order_id: string;
  kind: "pickup" | "delivery" | string;
  location: [number, number];
  arrival: string;
  departure?: string;
  load_after?: number[];
}

export interface PlanRoute {
  vehicle_id: string;
  distance_km: number;
  departure?: string;
  arrival?: string;
  stops: PlanStop[];
}

export interface PlanSummary {
  plan_id: string;
  kind?: string;
  status: string;
  engine: string;
  requested_at?: string;
  completed_at?: string | null;
  duration_s?: number | null;
  kpis?: Record<string, number | null> | null;
  error?: string | null;
}

export interface PlanRecord extends PlanSummary {
  routes: PlanRoute[];
  dropped: { order_id: string; reason: string; detail: string }[];
}

type Get = (path: string) => Promise<unknown>;

/** The vehicle's route in the newest finished plan that gives it one, or null. */
export async function latestRouteOf(vehicleId: string, get: Get): Promise<PlanRoute | null> {
  const { plans } = (await get("/v1/dispatch/plans?limit=5")) as { plans: PlanSummary[] };
  for (const summary of plans.filter((p) => p.status === "done")) {
    const plan = (await get(`/v1/dispatch/plans/${summary.plan_id}`)) as PlanRecord;
    const route = plan.routes.find((r) => r.vehicle_id === vehicleId);
    if (route) return route;
  }
  return null;
}

export function routesToDraw(plan: PlanRecord, colours: string[]): RouteDraw[] {
  return plan.routes
    .filter((r) => r.stops.length > 0)
    .map((r, i) => ({
      vehicle_id: r.vehicle_id,
      colour: colours[i % colours.length],
      stops: r.stops.map((s, n) => ({
        latitude: s.location[0],
        longitude: s.location[1],
        label: `${r.vehicle_id} #${n + 1} ${s.kind}`,
      })),
    }));
}
