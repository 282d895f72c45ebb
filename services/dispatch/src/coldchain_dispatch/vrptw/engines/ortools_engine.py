"""OR-tools routing with guided local search, on the scaled-integer instance (for comparison)."""

from __future__ import annotations

import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from coldchain_dispatch.vrptw.engines.scaled import scale
from coldchain_dispatch.vrptw.engines.solution import EngineSolution
from coldchain_dispatch.vrptw.instance import DEPOT, VrptwInstance

NAME = "ortools"


def solve(instance: VrptwInstance, time_limit_s: float, seed: int = 0) -> EngineSolution:
    """`seed` is accepted for a uniform signature; OR-tools' local search is deterministic."""
    started = time.perf_counter()
    scaled = scale(instance)
    nodes = len(instance.coordinates)
    manager = pywrapcp.RoutingIndexManager(nodes, instance.fleet_size, DEPOT)
    routing = pywrapcp.RoutingModel(manager)

    arc_cost = routing.RegisterTransitMatrix(scaled.distance.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc_cost)

    # Time from i to j: service at i, then travel.
    time_matrix = scaled.travel_time + [[s] for s in scaled.service_times]
    time_transit = routing.RegisterTransitMatrix(time_matrix.tolist())
    horizon = scaled.time_windows[DEPOT][1]
    routing.AddDimension(time_transit, horizon, horizon, False, "Time")
    time_dimension = routing.GetDimensionOrDie("Time")
    for client in instance.clients:
        early, late = scaled.time_windows[client]
        time_dimension.CumulVar(manager.NodeToIndex(client)).SetRange(early, late)
    depot_early, depot_late = scaled.time_windows[DEPOT]
    for vehicle in range(instance.fleet_size):
        time_dimension.CumulVar(routing.Start(vehicle)).SetRange(depot_early, depot_late)
        time_dimension.CumulVar(routing.End(vehicle)).SetRange(depot_early, depot_late)

    demand = routing.RegisterUnaryTransitVector(list(instance.demands))
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [instance.capacity] * instance.fleet_size, True, "Load"
    )

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(0.001, time_limit_s - (time.perf_counter() - started))
    params.time_limit.FromMilliseconds(int(remaining * 1000))

    assignment = routing.SolveWithParameters(params)
    if assignment is None:  # no first solution within the limit
        return EngineSolution(engine=NAME, routes=())
    routes: list[tuple[int, ...]] = []
    for vehicle in range(instance.fleet_size):
        index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(tuple(route))
    return EngineSolution(engine=NAME, routes=tuple(routes))
