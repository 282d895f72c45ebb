"""An independent check of a plan against its problem: solver output is never trusted.

Recomputes everything from the public model alone (it shares no code with the
solvers beyond the travel model and the compatibility matrix, which are inputs):
every order served once or dropped with a reason, pick-up before delivery on the
same vehicle, zone/setpoint/forklift compatibility, one refrigerated zone per
compartment at any moment, pallets per compartment and weight, windows, shifts, max
route duration, travel times and leg distances. Returns human-readable violations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from coldchain_contracts.fleet import TemperatureZone
from coldchain_dispatch.planning.compatibility import REFRIGERATED, compartment_for, setpoint_options
from coldchain_dispatch.planning.model import (
    GeoPoint,
    Order,
    Plan,
    PlannedStop,
    Problem,
    Route,
    StopKind,
    Vehicle,
)

TOLERANCE = timedelta(seconds=1)
Leg = Callable[[GeoPoint, GeoPoint], tuple[int, int]]


class InvalidPlan(AssertionError):
    pass


def violations(problem: Problem, plan: Plan) -> list[str]:
    out: list[str] = []
    vehicles = {v.vehicle_id: v for v in problem.vehicles}
    orders = {o.order_id: o for o in problem.orders}
    points = sorted(
        {p for v in problem.vehicles for p in (v.origin, v.depot)}
        | {s.location for r in plan.routes for s in r.stops},
        key=lambda p: (p.lat, p.lon),
    )
    index = {p: i for i, p in enumerate(points)}
    matrix = problem.travel.matrix(points)

    def leg(a: GeoPoint, b: GeoPoint) -> tuple[int, int]:
        return matrix.metres[index[a]][index[b]], matrix.seconds[index[a]][index[b]]

    seen: dict[tuple[str, StopKind], str] = {}
    delivered: set[str] = set()
    routed: set[str] = set()
    for route in plan.routes:
        v = vehicles.get(route.vehicle_id)
        if v is None:
            out.append(f"route for unknown vehicle {route.vehicle_id}")
            continue
        if route.vehicle_id in routed:
            out.append(f"vehicle {route.vehicle_id} has two routes")
        routed.add(route.vehicle_id)
        for stop in route.stops:
            key = (stop.order_id, stop.kind)
            if key in seen:
                out.append(f"{stop.kind} of {stop.order_id} appears twice ({seen[key]}, {route.vehicle_id})")
            seen[key] = route.vehicle_id
        out += _route(problem, v, route, orders, leg)
        delivered |= {s.order_id for s in route.stops if s.kind is StopKind.DELIVERY}
    dropped = [d.order_id for d in plan.dropped]
    if len(dropped) != len(set(dropped)):
        out.append("an order is reported dropped twice")
    for o in problem.orders:
        served, gone = o.order_id in delivered, o.order_id in dropped
        if served == gone:
            state = "both served and dropped" if served else "neither served nor dropped"
            out.append(f"order {o.order_id} is {state}")
    out += [f"dropped order {d.order_id} has no reason" for d in plan.dropped if not d.detail]
    out += [f"dropped order {d} is not in the problem" for d in dropped if d not in orders]
    return out


def _route(problem: Problem, v: Vehicle, route: Route, orders: dict[str, Order], legf: Leg) -> list[str]:
    out: list[str] = []
    name = f"vehicle {v.vehicle_id}"
    matrix = problem.compatibility
    if route.setpoints not in setpoint_options(v.body_type, matrix):
        out.append(f"{name}: setpoints {route.setpoints} impossible for a {v.body_type} body")
        return out
    load = [0] * len(v.compartments)
    zones: list[dict[str, TemperatureZone]] = [{} for _ in v.compartments]
    weight = 0.0
    on_board: set[str] = set()
    for oid in v.onboard:
        o = problem.order(oid)
        c = compartment_for(v.body_type, route.setpoints, o.zone, matrix)
        if c is None:
            out.append(f"{name}: carries {o.zone} order {oid} its setpoints cannot hold")
            continue
        load[c] += o.pallets
        zones[c][oid] = o.zone
        weight += o.weight_kg
        on_board.add(oid)
    if route.departure < v.ready_at - TOLERANCE:
        out.append(f"{name}: departs {route.departure} before it is ready at {v.ready_at}")
    here, clock = v.origin, route.departure
    if len(route.leg_km) != len(route.stops) + 1:
        out.append(f"{name}: {len(route.leg_km)} legs for {len(route.stops)} stops")
    for i, stop in enumerate(route.stops):
        if stop.order_id not in orders:
            out.append(f"{name}: stop for unknown order {stop.order_id}")
            continue
        o = orders[stop.order_id]
        metres, seconds = legf(here, stop.location)
        out += _leg_km(name, route, i, metres)
        end = o.pickup if stop.kind is StopKind.PICKUP else o.delivery
        if stop.location != end.location:
            out.append(f"{name}: {stop.kind} of {o.order_id} at the wrong place")
        out += _times(name, stop, clock, seconds, end.window.start, end.window.end, end.service)
        if o.requires_forklift and not v.has_forklift:
            out.append(f"{name}: order {o.order_id} needs a forklift")
        c = compartment_for(v.body_type, route.setpoints, o.zone, matrix)
        if c is None:
            out.append(f"{name}: cannot carry {o.zone} order {o.order_id} at setpoints {route.setpoints}")
            c = 0
        if stop.kind is StopKind.PICKUP:
            load[c] += o.pallets
            weight += o.weight_kg
            zones[c][o.order_id] = o.zone
            on_board.add(o.order_id)
        else:
            if o.order_id not in on_board:
                out.append(f"{name}: delivers {o.order_id} before (or without) picking it up")
            load[c] -= o.pallets
            weight -= o.weight_kg
            zones[c].pop(o.order_id, None)
            on_board.discard(o.order_id)
        out += _capacity(name, v, stop, load, weight, zones)
        here, clock = stop.location, stop.departure
    metres, seconds = legf(here, v.depot)
    out += _leg_km(name, route, len(route.stops), metres)
    if route.arrival < clock + timedelta(seconds=seconds) - TOLERANCE:
        out.append(f"{name}: reaches its depot at {route.arrival}, faster than the road allows")
    if route.arrival > v.shift.end + TOLERANCE:
        out.append(f"{name}: returns at {route.arrival}, after its shift ends at {v.shift.end}")
    if route.arrival - route.departure > v.max_route_duration + TOLERANCE:
        out.append(f"{name}: route lasts {route.arrival - route.departure}, over {v.max_route_duration}")
    out += [f"{name}: picks up {oid} and never delivers it" for oid in sorted(on_board - set(v.onboard))]
    return out


def _leg_km(name: str, route: Route, i: int, metres: int) -> list[str]:
    if i < len(route.leg_km) and abs(route.leg_km[i] - metres / 1000.0) > 0.001:
        return [f"{name}: leg {i} is {route.leg_km[i]} km, the road says {metres / 1000.0}"]
    return []


def _times(
    name: str,
    stop: PlannedStop,
    clock: datetime,
    seconds: int,
    opens: datetime,
    closes: datetime,
    service: timedelta,
) -> list[str]:
    out: list[str] = []
    what = f"{stop.kind} of {stop.order_id}"
    if stop.arrival < clock + timedelta(seconds=seconds) - TOLERANCE:
        out.append(f"{name}: arrives at {what} faster than the road allows")
    if stop.service_start < stop.arrival:
        out.append(f"{name}: starts {what} before arriving")
    if not (opens - TOLERANCE <= stop.service_start <= closes + TOLERANCE):
        out.append(f"{name}: {what} starts at {stop.service_start}, outside {opens}..{closes}")
    if abs(stop.departure - (stop.service_start + service)) > TOLERANCE:
        out.append(f"{name}: {what} departs at {stop.departure}, not after its {service} of service")
    return out


def _capacity(
    name: str,
    v: Vehicle,
    stop: PlannedStop,
    load: list[int],
    weight: float,
    zones: list[dict[str, TemperatureZone]],
) -> list[str]:
    out: list[str] = []
    for c, (held, cap) in enumerate(zip(load, v.compartments, strict=True)):
        if held > cap:
            out.append(f"{name}: compartment {c} holds {held} pallets after {stop.order_id}, capacity {cap}")
        cold = {z for z in zones[c].values() if z in REFRIGERATED}
        if len(cold) > 1:
            out.append(f"{name}: compartment {c} holds {sorted(cold)} goods at once after {stop.order_id}")
    if tuple(load) != stop.load_after:
        out.append(f"{name}: reports load {stop.load_after} after {stop.order_id}, actual {tuple(load)}")
    if weight > v.weight_capacity_kg + 1e-6:
        out.append(f"{name}: carries {weight:g} kg after {stop.order_id}, capacity {v.weight_capacity_kg:g}")
    return out


def assert_valid(problem: Problem, plan: Plan) -> None:
    found = violations(problem, plan)
    if found:
        raise InvalidPlan(
            "; ".join(found[:20]) + (f" (and {len(found) - 20} more)" if len(found) > 20 else "")
        )


def locked_moved(before: Plan, after: Plan, now: datetime) -> list[str]:
    """Stops the vehicle had set off for by `now` must stay, in place, with their times."""
    out: list[str] = []
    for route in before.routes:
        locked = locked_prefix(route, now)
        try:
            kept = after.route(route.vehicle_id).stops[: len(locked)]
        except KeyError:
            kept = ()
        strip = [(s.order_id, s.kind, s.service_start) for s in locked]
        if strip != [(s.order_id, s.kind, s.service_start) for s in kept]:
            out.append(f"vehicle {route.vehicle_id}: locked stops changed")
    return out


def locked_prefix(route: Route, now: datetime) -> tuple[PlannedStop, ...]:
    """A stop is started once its vehicle has left the previous stop (or its origin) for it."""
    count = 0
    left = route.departure
    for stop in route.stops:
        if left > now:
            break
        count += 1
        left = stop.departure
    return route.stops[:count]
