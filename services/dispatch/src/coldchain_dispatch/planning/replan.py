"""Mode 3: a vehicle breaks down or reports a temperature excursion.

Either way it is withdrawn: a reefer that cannot hold its setpoint must not keep
carrying (or take on) temperature-controlled goods. Stops it had reached by `now`
stay as they were (locked); the stop it was driving to is released. Its undelivered
work is re-assigned by cheapest insertion into the other vehicles' remaining stops
(their own stops keep their order; their started stops stay locked):
  - orders not yet picked up go back to the pool as they are;
  - loads already on board become transfers: a pick-up at the failed truck's position
    (from `now` + `handover`, with `transfer_service` to move the pallets) and the
    original delivery. A transfer no vehicle can make is dropped with
    `onboard_transfer_impossible`, so a dispatcher arranges a rescue truck by hand.
Transfers go first (goods at risk), then by priority. `plan.dropped` lists the rest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from coldchain_dispatch.planning.insertion import best_insertion
from coldchain_dispatch.planning.instance import build
from coldchain_dispatch.planning.model import (
    DroppedOrder,
    DropReason,
    GeoPoint,
    Order,
    Plan,
    Problem,
    SolverStats,
    Stop,
    StopKind,
    TimeWindow,
)
from coldchain_dispatch.planning.plans import build_plan
from coldchain_dispatch.planning.rolling import cut, merge, sequences_of
from coldchain_dispatch.planning.travel import MatrixCache


@dataclass(frozen=True)
class Replanned:
    problem: Problem  # what the other vehicles now work on (transfers included)
    plan: Plan  # merged: locked prefixes + new remaining stops; failed vehicle ends at its prefix
    remaining: Plan  # the other vehicles' plan for `problem` (from their current positions), as validated
    transfers: tuple[str, ...]
    reassigned: dict[str, str]  # order_id -> vehicle_id


def replan_vehicle_failure(
    problem: Problem,
    plan: Plan,
    vehicle_id: str,
    *,
    now: datetime,
    position: GeoPoint | None = None,
    handover: timedelta = timedelta(minutes=30),
    transfer_service: timedelta = timedelta(minutes=30),
    cache: MatrixCache | None = None,
) -> Replanned:
    started = time.perf_counter()
    failed = plan.route(vehicle_id)
    reached = sum(1 for s in failed.stops if s.arrival <= now)
    c = cut(problem, plan, now, prefix_override={vehicle_id: reached})
    prefix = c.prefixes[vehicle_id]
    delivered = {s.order_id for s in prefix if s.kind is StopKind.DELIVERY}
    loaded = [
        oid
        for oid in (
            *problem.vehicles_by_id()[vehicle_id].onboard,
            *(s.order_id for s in prefix if s.kind is StopKind.PICKUP),
        )
        if oid not in delivered
    ]
    where = position or (
        prefix[-1].location
        if prefix
        else failed.stops[0].location
        if failed.stops
        else problem.vehicles_by_id()[vehicle_id].origin
    )
    transfers = {
        oid: _transfer(c.problem.order(oid), where, now + handover, transfer_service) for oid in loaded
    }
    orders = tuple(transfers.get(o.order_id, o) for o in c.problem.orders)
    others = tuple(v for v in c.problem.vehicles if v.vehicle_id != vehicle_id)
    derived = Problem(others, orders, problem.travel, problem.compatibility)
    inst = build(derived, cache=cache)
    remaining = {vid: stops for vid, stops in c.remaining.items() if vid != vehicle_id}
    sequences = sequences_of(inst, remaining)
    affected = [oid for oid, _ in c.remaining[vehicle_id] if oid not in transfers]
    todo = sorted(
        dict.fromkeys([*transfers, *affected]),
        key=lambda oid: (oid not in transfers, derived.order(oid).priority, oid),
    )
    reassigned: dict[str, str] = {}
    index = {o.order_id: i for i, o in enumerate(inst.orders)}
    for oid in todo:
        found = best_insertion(inst, sequences, index[oid])
        if found is not None:
            sequences[found.vehicle] = found.sequence
            reassigned[oid] = inst.vehicles[found.vehicle].vehicle_id
    wall = time.perf_counter() - started
    new = build_plan(inst, sequences, SolverStats("replan", 0, 0.0, wall, wall))
    dropped = tuple(
        DroppedOrder(
            d.order_id, DropReason.ONBOARD_TRANSFER_IMPOSSIBLE, f"on board failed {vehicle_id}: {d.detail}"
        )
        if d.order_id in transfers
        else d
        for d in new.dropped
    )
    remaining_plan = replace(new, dropped=dropped)
    merged = merge(c, remaining_plan)
    stub = replace(
        failed,
        stops=tuple(replace(s, locked=True) for s in prefix),
        arrival=now,
        leg_km=(*failed.leg_km[: len(prefix)], 0.0),
    )
    return Replanned(
        derived, replace(merged, routes=(*merged.routes, stub)), remaining_plan, tuple(transfers), reassigned
    )


def _transfer(o: Order, where: GeoPoint, ready: datetime, service: timedelta) -> Order:
    closes = max(ready, o.delivery.window.end)
    return replace(o, pickup=Stop(where, TimeWindow(ready, closes), service, False))
