"""Turn node sequences into the public `Plan`, and explain every order left out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from coldchain_dispatch.planning.compatibility import compartment_for, setpoint_options
from coldchain_dispatch.planning.instance import Instance
from coldchain_dispatch.planning.model import (
    DroppedOrder,
    DropReason,
    Plan,
    PlannedStop,
    Route,
    SolverStats,
    StopKind,
)
from coldchain_dispatch.planning.schedule import feasible


def build_route(inst: Instance, vi: int, seq: Sequence[int]) -> Route:
    t = feasible(inst, vi, seq)
    if t is None:
        raise ValueError(f"vehicle {inst.vehicles[vi].vehicle_id}: route is infeasible: {list(seq)}")
    v = inst.vehicles[vi]
    setpoints = inst.setpoints[vi]
    matrix = inst.problem.compatibility
    compartments = [0] * len(v.compartments)
    for oid in v.onboard:
        o = inst.orders[inst.nodes[inst.delivery_node[oid]].order or 0]
        compartments[compartment_for(v.body_type, setpoints, o.zone, matrix) or 0] += o.pallets
    weight = sum(inst.problem.order(oid).weight_kg for oid in v.onboard)
    stops: list[PlannedStop] = []
    legs: list[float] = []
    prev = inst.starts[vi]
    for n, arrive, begin in zip(seq, t.arrivals, t.starts, strict=True):
        node = inst.nodes[n]
        assert node.order is not None
        assert node.kind is not None
        o = inst.orders[node.order]
        sign = 1 if node.kind is StopKind.PICKUP else -1
        compartments[compartment_for(v.body_type, setpoints, o.zone, matrix) or 0] += sign * o.pallets
        weight += sign * o.weight_kg
        stop = o.pickup if node.kind is StopKind.PICKUP else o.delivery
        stops.append(
            PlannedStop(
                order_id=o.order_id,
                kind=node.kind,
                location=stop.location,
                arrival=inst.at(arrive),
                service_start=inst.at(begin),
                departure=inst.at(begin + node.service_s),
                load_after=tuple(compartments),
                weight_after_kg=round(weight, 3),
            )
        )
        legs.append(inst.dist(prev, n) / 1000.0)
        prev = n
    legs.append(inst.dist(prev, inst.ends[vi]) / 1000.0)
    return Route(
        vehicle_id=v.vehicle_id,
        setpoints=setpoints,
        departure=inst.at(t.departure_s),
        arrival=inst.at(t.end_s),
        stops=tuple(stops),
        leg_km=tuple(legs),
    )


def diagnose(inst: Instance, order_index: int) -> DroppedOrder:
    """Why an order is not in the plan: the first test it fails, most basic first."""
    o = inst.orders[order_index]
    matrix = inst.problem.compatibility
    carrier = inst.onboard_of.get(o.order_id)
    if carrier is not None:
        return DroppedOrder(
            o.order_id,
            DropReason.TIME_WINDOW_UNREACHABLE,
            f"on board {inst.vehicles[carrier].vehicle_id}; its delivery window can no longer be met",
        )
    fits_zone = [
        vi
        for vi, v in enumerate(inst.vehicles)
        if compartment_for(v.body_type, inst.setpoints[vi], o.zone, matrix) is not None
        and (v.has_forklift or not o.requires_forklift)
    ]
    if not fits_zone and any(
        compartment_for(v.body_type, setpoints, o.zone, matrix) is not None
        for v in inst.vehicles
        if v.has_forklift or not o.requires_forklift
        for setpoints in setpoint_options(v.body_type, matrix)
    ):
        return DroppedOrder(
            o.order_id,
            DropReason.SETPOINT_IN_USE,
            f"every reefer that could take {o.zone} goods is held at another setpoint in this plan",
        )
    if not fits_zone:
        need = f"{o.zone} goods" + (" and a forklift" if o.requires_forklift else "")
        return DroppedOrder(o.order_id, DropReason.NO_COMPATIBLE_VEHICLE, f"no vehicle takes {need}")
    allowed = inst.allowed[order_index]
    if not allowed:
        return DroppedOrder(
            o.order_id,
            DropReason.EXCEEDS_VEHICLE_CAPACITY,
            f"{o.pallets} pallets / {o.weight_kg:g} kg exceed every compatible vehicle",
        )
    pair = [inst.pickup_node[o.order_id], inst.delivery_node[o.order_id]]
    if not any(feasible(inst, vi, pair) is not None for vi in allowed):
        return DroppedOrder(
            o.order_id,
            DropReason.TIME_WINDOW_UNREACHABLE,
            "no compatible vehicle, even idle, meets both windows within its shift and max duration",
        )
    return DroppedOrder(
        o.order_id,
        DropReason.FLEET_FULLY_COMMITTED,
        f"feasible alone on {len(allowed)} vehicle(s) but no room left in the plan (priority {o.priority})",
    )


def build_plan(
    inst: Instance,
    sequences: Sequence[Sequence[int]],
    stats: SolverStats,
    known: Mapping[str, DroppedOrder] | None = None,
) -> Plan:
    """Routes for `sequences`; a reason for every other order (reused from `known` when given)."""
    routes = tuple(build_route(inst, vi, seq) for vi, seq in enumerate(sequences))
    served = {
        inst.nodes[n].order for seq in sequences for n in seq if inst.nodes[n].kind is StopKind.DELIVERY
    }
    known = known or {}
    dropped = tuple(
        known.get(inst.orders[oi].order_id) or diagnose(inst, oi)
        for oi in range(len(inst.orders))
        if oi not in served
    )
    return Plan(routes=routes, dropped=dropped, stats=stats)
