"""PyVRP (iterated local search, state of the art for VRPTW) on the scaled-integer instance."""

from __future__ import annotations

import time

from pyvrp import Model
from pyvrp.stop import MaxRuntime

from coldchain_dispatch.vrptw.engines.scaled import scale
from coldchain_dispatch.vrptw.engines.solution import EngineSolution
from coldchain_dispatch.vrptw.instance import DEPOT, VrptwInstance

NAME = "pyvrp"


def build_model(instance: VrptwInstance) -> Model:
    scaled = scale(instance)
    model = Model()
    locations = [model.add_location(x=x, y=y) for x, y in instance.coordinates]
    depot_early, depot_late = scaled.time_windows[DEPOT]
    depot = model.add_depot(locations[DEPOT], tw_early=depot_early, tw_late=depot_late)
    model.add_vehicle_type(
        num_available=instance.fleet_size,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=depot_early,
        tw_late=depot_late,
    )
    for client in instance.clients:
        early, late = scaled.time_windows[client]
        model.add_client(
            locations[client],
            delivery=instance.demands[client],
            service_duration=scaled.service_times[client],
            tw_early=early,
            tw_late=late,
        )
    distance = scaled.distance.tolist()
    travel = scaled.travel_time.tolist()
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                model.add_edge(frm, to, distance=distance[i][j], duration=travel[i][j])
    return model


def solve(instance: VrptwInstance, time_limit_s: float, seed: int = 0) -> EngineSolution:
    started = time.perf_counter()
    model = build_model(instance)
    remaining = max(0.0, time_limit_s - (time.perf_counter() - started))
    result = model.solve(stop=MaxRuntime(remaining), seed=seed, collect_stats=False, display=False)
    # Client activity idx k is the k-th client added, i.e. node k + 1 (the depot is node 0).
    routes = tuple(
        tuple(activity.idx + 1 for activity in route if activity.is_client())
        for route in result.best.routes()
    )
    return EngineSolution(engine=NAME, routes=tuple(r for r in routes if r))
