"""Cut a running plan at `now`: locked prefixes stay, the rest becomes a new problem.

A stop is locked once its vehicle has set off for it (see `validate.locked_prefix`).
The derived problem puts each vehicle at its last locked stop when it leaves it (or
`now`), with what it picked up and has not delivered on board, and its remaining max
route duration; orders completed in the prefix leave the problem. Plans for the
derived problem are merged back behind the untouched prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from coldchain_dispatch.planning.instance import Instance
from coldchain_dispatch.planning.model import Plan, PlannedStop, Problem, Route, StopKind, Vehicle
from coldchain_dispatch.planning.validate import locked_prefix


@dataclass(frozen=True)
class Cut:
    problem: Problem  # the derived problem
    prefixes: dict[str, tuple[PlannedStop, ...]]
    routes: dict[str, Route]  # the original routes
    remaining: dict[str, tuple[tuple[str, StopKind], ...]]  # per vehicle, unlocked stops in order


def cut(problem: Problem, plan: Plan, now: datetime, *, prefix_override: dict[str, int] | None = None) -> Cut:
    routes = {r.vehicle_id: r for r in plan.routes}
    vehicles: list[Vehicle] = []
    prefixes: dict[str, tuple[PlannedStop, ...]] = {}
    remaining: dict[str, tuple[tuple[str, StopKind], ...]] = {}
    done: set[str] = set()
    for v in problem.vehicles:
        route = routes.get(v.vehicle_id)
        if route is None:
            vehicles.append(replace(v, available_from=max(v.ready_at, now)))
            prefixes[v.vehicle_id], remaining[v.vehicle_id] = (), ()
            continue
        # A reefer keeps the setpoint it is running at; re-planning never flips it mid-route.
        pinned = route.setpoints[0] if len(route.setpoints) == 1 else v.setpoint
        v = replace(v, setpoint=pinned)
        count = len(locked_prefix(route, now))
        if prefix_override and v.vehicle_id in prefix_override:
            count = prefix_override[v.vehicle_id]
        prefix = route.stops[:count]
        prefixes[v.vehicle_id] = prefix
        remaining[v.vehicle_id] = tuple((s.order_id, s.kind) for s in route.stops[count:])
        delivered = {s.order_id for s in prefix if s.kind is StopKind.DELIVERY}
        done |= delivered
        picked = [s.order_id for s in prefix if s.kind is StopKind.PICKUP]
        onboard = tuple(oid for oid in (*v.onboard, *picked) if oid not in delivered)
        if not prefix:
            vehicles.append(replace(v, available_from=max(v.ready_at, now)))
            continue
        leave = max(prefix[-1].departure, now)
        left_for = route.departure + v.max_route_duration - leave
        vehicles.append(
            replace(
                v,
                start=prefix[-1].location,
                available_from=leave,
                onboard=onboard,
                max_route_duration=max(left_for, timedelta(seconds=1)),
            )
        )
    orders = tuple(o for o in problem.orders if o.order_id not in done)
    derived = Problem(tuple(vehicles), orders, problem.travel, problem.compatibility)
    return Cut(derived, prefixes, routes, remaining)


def sequences_of(inst: Instance, remaining: dict[str, tuple[tuple[str, StopKind], ...]]) -> list[list[int]]:
    """The derived instance's node sequences for the remaining stops of each vehicle."""
    result: list[list[int]] = []
    for v in inst.vehicles:
        seq = []
        for oid, kind in remaining.get(v.vehicle_id, ()):
            table = inst.pickup_node if kind is StopKind.PICKUP else inst.delivery_node
            seq.append(table[oid])
        result.append(seq)
    return result


def merge(c: Cut, derived: Plan) -> Plan:
    """Locked prefixes (flagged `locked`) followed by the derived plan's stops."""
    routes = []
    for route in derived.routes:
        prefix = c.prefixes.get(route.vehicle_id, ())
        if not prefix:
            routes.append(route)
            continue
        original = c.routes[route.vehicle_id]
        routes.append(
            Route(
                vehicle_id=route.vehicle_id,
                setpoints=route.setpoints,
                departure=original.departure,
                arrival=route.arrival,
                stops=tuple(replace(s, locked=True) for s in prefix) + route.stops,
                leg_km=original.leg_km[: len(prefix)] + route.leg_km,
            )
        )
    return Plan(tuple(routes), derived.dropped, derived.stats)
