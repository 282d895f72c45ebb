"""JSON form of planning problems and plans, for the plan record and replay.

Round-trips exactly what the solvers read: times as ISO-8601 instants, durations in
seconds, the travel model's parameters and the compatibility matrix. Only the default
`HaversineTravel` is recorded; a plan made with another travel model cannot be replayed
from its record (`encode_problem` refuses it rather than record something else).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning.compatibility import CompatibilityMatrix
from coldchain_dispatch.planning.model import (
    DroppedOrder,
    DropReason,
    GeoPoint,
    Order,
    Plan,
    PlannedStop,
    Problem,
    Route,
    SolverStats,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)
from coldchain_dispatch.planning.travel import HaversineTravel, SpeedProfile

Json = dict[str, Any]


def _t(value: datetime) -> str:
    return value.isoformat()


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _point(p: GeoPoint) -> list[float]:
    return [p.lat, p.lon]


def _geo(v: list[float]) -> GeoPoint:
    return GeoPoint(v[0], v[1])


def _window(w: TimeWindow) -> list[str]:
    return [_t(w.start), _t(w.end)]


def _tw(v: list[str]) -> TimeWindow:
    return TimeWindow(_dt(v[0]), _dt(v[1]))


def _stop(s: Stop) -> Json:
    return {
        "location": _point(s.location),
        "window": _window(s.window),
        "service_s": s.service.total_seconds(),
        "forklift": s.requires_forklift,
    }


def _stop_of(j: Json) -> Stop:
    return Stop(_geo(j["location"]), _tw(j["window"]), timedelta(seconds=j["service_s"]), j["forklift"])


def encode_problem(problem: Problem) -> Json:
    travel = problem.travel
    if not isinstance(travel, HaversineTravel):
        raise ValueError(f"only HaversineTravel can be recorded, got {type(travel).__name__}")
    return {
        "vehicles": [
            {
                "vehicle_id": v.vehicle_id,
                "body_type": v.body_type.value,
                "compartments": list(v.compartments),
                "weight_capacity_kg": v.weight_capacity_kg,
                "depot": _point(v.depot),
                "shift": _window(v.shift),
                "max_route_s": v.max_route_duration.total_seconds(),
                "forklift": v.has_forklift,
                "start": _point(v.start) if v.start else None,
                "available_from": _t(v.available_from) if v.available_from else None,
                "onboard": list(v.onboard),
                "setpoint": v.setpoint.value if v.setpoint else None,
            }
            for v in problem.vehicles
        ],
        "orders": [
            {
                "order_id": o.order_id,
                "zone": o.zone.value,
                "pallets": o.pallets,
                "weight_kg": o.weight_kg,
                "priority": o.priority,
                "pickup": _stop(o.pickup),
                "delivery": _stop(o.delivery),
            }
            for o in problem.orders
        ],
        "travel": {
            "kind": "haversine",
            "circuity": travel.circuity,
            "urban_kmh": travel.speed.urban_kmh,
            "highway_kmh": travel.speed.highway_kmh,
            "urban_km": travel.speed.urban_km,
        },
        "compatibility": {
            b.value: sorted(z.value for z in zones) for b, zones in problem.compatibility.carries
        },
    }


def decode_problem(j: Json) -> Problem:
    t = j["travel"]
    travel = HaversineTravel(t["circuity"], SpeedProfile(t["urban_kmh"], t["highway_kmh"], t["urban_km"]))
    matrix = CompatibilityMatrix.of(
        {BodyType(b): frozenset(TemperatureZone(z) for z in zones) for b, zones in j["compatibility"].items()}
    )
    vehicles = tuple(
        Vehicle(
            vehicle_id=v["vehicle_id"],
            body_type=BodyType(v["body_type"]),
            compartments=tuple(v["compartments"]),
            weight_capacity_kg=v["weight_capacity_kg"],
            depot=_geo(v["depot"]),
            shift=_tw(v["shift"]),
            max_route_duration=timedelta(seconds=v["max_route_s"]),
            has_forklift=v["forklift"],
            start=_geo(v["start"]) if v["start"] else None,
            available_from=_dt(v["available_from"]) if v["available_from"] else None,
            onboard=tuple(v["onboard"]),
            setpoint=TemperatureZone(v["setpoint"]) if v["setpoint"] else None,
        )
        for v in j["vehicles"]
    )
    orders = tuple(
        Order(
            order_id=o["order_id"],
            zone=TemperatureZone(o["zone"]),
            pallets=o["pallets"],
            weight_kg=o["weight_kg"],
            pickup=_stop_of(o["pickup"]),
            delivery=_stop_of(o["delivery"]),
            priority=o["priority"],
        )
        for o in j["orders"]
    )
    return Problem(vehicles, orders, travel, matrix)


def encode_routes(plan: Plan) -> list[Json]:
    return [
        {
            "vehicle_id": r.vehicle_id,
            "setpoints": [z.value for z in r.setpoints],
            "departure": _t(r.departure),
            "arrival": _t(r.arrival),
            "leg_km": list(r.leg_km),
            "distance_km": round(r.distance_km, 3),
            "stops": [
                {
                    "order_id": s.order_id,
                    "kind": s.kind.value,
                    "location": _point(s.location),
                    "arrival": _t(s.arrival),
                    "service_start": _t(s.service_start),
                    "departure": _t(s.departure),
                    "load_after": list(s.load_after),
                    "weight_after_kg": s.weight_after_kg,
                    "locked": s.locked,
                }
                for s in r.stops
            ],
        }
        for r in plan.routes
    ]


def encode_dropped(plan: Plan) -> list[Json]:
    return [{"order_id": d.order_id, "reason": d.reason.value, "detail": d.detail} for d in plan.dropped]


def encode_stats(stats: SolverStats) -> Json:
    return {
        "method": stats.method,
        "seed": stats.seed,
        "time_limit_s": stats.time_limit_s,
        "wall_s": stats.wall_s,
        "first_solution_s": stats.first_solution_s,
        "objective": stats.objective,
    }


def decode_plan(routes: list[Json], dropped: list[Json], stats: Json) -> Plan:
    return Plan(
        routes=tuple(
            Route(
                vehicle_id=r["vehicle_id"],
                setpoints=tuple(TemperatureZone(z) for z in r["setpoints"]),
                departure=_dt(r["departure"]),
                arrival=_dt(r["arrival"]),
                leg_km=tuple(r["leg_km"]),
                stops=tuple(
                    PlannedStop(
                        order_id=s["order_id"],
                        kind=StopKind(s["kind"]),
                        location=_geo(s["location"]),
                        arrival=_dt(s["arrival"]),
                        service_start=_dt(s["service_start"]),
                        departure=_dt(s["departure"]),
                        load_after=tuple(s["load_after"]),
                        weight_after_kg=s["weight_after_kg"],
                        locked=s["locked"],
                    )
                    for s in r["stops"]
                ),
            )
            for r in routes
        ),
        dropped=tuple(DroppedOrder(d["order_id"], DropReason(d["reason"]), d["detail"]) for d in dropped),
        stats=SolverStats(
            stats["method"],
            stats["seed"],
            stats["time_limit_s"],
            stats["wall_s"],
            stats["first_solution_s"],
            stats["objective"],
        ),
    )
