"""A Li & Lim instance as the portfolio's integer `RoutingProblem`, and engine routes back as task ids.

Scaled by `SCALE`: distances (the objective) rounded to nearest; travel times up and due
times down, so an answer on time in integers is on time in doubles (`evaluate` checks
it anyway). Vehicles carry a fixed cost larger than any route can save in distance, so
the engines put fewer vehicles first, as the best-known tables do.
"""

from __future__ import annotations

import math

import numpy as np

from coldchain_benchkit.pdptw.instance import DEPOT, PdptwInstance
from coldchain_dispatch.engines.problem import EngineRoute, RoutingProblem, Shipment, Step, Vehicle

SCALE = 10_000


def fixed_cost(instance: PdptwInstance, scale: int = SCALE) -> int:
    """More than the longest possible tour saving: two depot round trips to the farthest task."""
    return math.ceil(4 * float(instance.distance[DEPOT].max()) * scale) + 1


def to_routing(
    instance: PdptwInstance, scale: int = SCALE, vehicle_cost: int | None = None
) -> RoutingProblem:
    exact = instance.distance * scale
    tasks = instance.tasks

    def step(task: int) -> Step:
        t = tasks[task]
        return Step(task, math.ceil(t.ready * scale), math.floor(t.due * scale), math.ceil(t.service * scale))

    depot = tasks[DEPOT]
    return RoutingProblem(
        distance=np.rint(exact).astype(np.int64),
        duration=np.ceil(exact).astype(np.int64),
        vehicles=(
            Vehicle(
                start=DEPOT,
                end=DEPOT,
                capacity=(instance.capacity,),
                tw_early=math.ceil(depot.ready * scale),
                tw_late=math.floor(depot.due * scale),
                fixed_cost=fixed_cost(instance, scale) if vehicle_cost is None else vehicle_cost,
                count=instance.vehicles,
            ),
        ),
        shipments=tuple(Shipment(step(p), step(d), (tasks[p].demand,)) for p, d in instance.pairs),
    )


def task_routes(instance: PdptwInstance, routes: tuple[EngineRoute, ...]) -> list[list[int]]:
    """Location indices are task ids: a visit's task is its shipment's pickup or delivery."""
    pairs = instance.pairs
    return [
        [pairs[v.shipment][0 if v.pickup else 1] for v in route.visits] for route in routes if route.visits
    ]
