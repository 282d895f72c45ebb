"""Plan KPIs, computed from the plan itself, never assumed.

- total_km: every leg, including the run back to the depot.
- empty_km: legs driven with nothing on board (loads carried in from the start count).
- empty_share: empty_km / total_km.
- pallet_fill: pallet-km carried / capacity-km driven (how full the trucks run).
- duty_utilisation: time on the road (departure to depot) / shift length, over used vehicles.
- vehicles_used, orders_served, orders_dropped and the count per drop reason.
- fuel_krw: total_km / km_per_litre x price (defaults 5.5 km/L, 1,800 KRW/L).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from coldchain_dispatch.planning.model import Plan, Problem


@dataclass(frozen=True, slots=True)
class Kpis:
    total_km: float
    empty_km: float
    empty_share: float
    pallet_fill: float
    duty_utilisation: float
    vehicles_used: int
    orders_served: int
    orders_dropped: int
    dropped_by_reason: dict[str, int]
    fuel_krw: float

    def as_dict(self) -> dict[str, object]:
        return {
            "total_km": round(self.total_km, 1),
            "empty_km": round(self.empty_km, 1),
            "empty_share": round(self.empty_share, 4),
            "pallet_fill": round(self.pallet_fill, 4),
            "duty_utilisation": round(self.duty_utilisation, 4),
            "vehicles_used": self.vehicles_used,
            "orders_served": self.orders_served,
            "orders_dropped": self.orders_dropped,
            "dropped_by_reason": self.dropped_by_reason,
            "fuel_krw": round(self.fuel_krw),
        }


def kpis(problem: Problem, plan: Plan, *, km_per_litre: float = 5.5, krw_per_litre: float = 1800.0) -> Kpis:
    vehicles = problem.vehicles_by_id()
    total = empty = pallet_km = capacity_km = 0.0
    duty = shift = 0.0
    used = 0
    for route in plan.routes:
        v = vehicles[route.vehicle_id]
        onboard = sum(problem.order(oid).pallets for oid in v.onboard)
        loads = [onboard] + [sum(s.load_after) for s in route.stops]
        for km, load in zip(route.leg_km, loads, strict=True):
            total += km
            empty += km if load == 0 else 0.0
            pallet_km += km * load
            capacity_km += km * v.pallet_capacity
        if route.stops:
            used += 1
            duty += (route.arrival - route.departure).total_seconds()
            shift += (v.shift.end - v.shift.start).total_seconds()
    reasons = Counter(str(d.reason) for d in plan.dropped)
    return Kpis(
        total_km=total,
        empty_km=empty,
        empty_share=empty / total if total else 0.0,
        pallet_fill=pallet_km / capacity_km if capacity_km else 0.0,
        duty_utilisation=duty / shift if shift else 0.0,
        vehicles_used=used,
        orders_served=len(plan.served_order_ids),
        orders_dropped=len(plan.dropped),
        dropped_by_reason=dict(sorted(reasons.items())),
        fuel_krw=total / km_per_litre * krw_per_litre,
    )
