"""OR-tools routing on a `RoutingProblem`: pickup-and-delivery pairs with guided local search.

It expresses everything the problem type holds (allowed vehicles, optional shipments and
jobs, maximum durations, fixed costs), so it is the portfolio's fallback. A job's goods
ride from the start: each load dimension's start is left free (at least what the route's
jobs deliver) and a job takes its amount off, so jobs and shipments share one dimension. `first_solution`
is PARALLEL_CHEAPEST_INSERTION by default (pair-aware); PATH_CHEAPEST_ARC is OR-tools'
usual default, kept for the plain reference in the benchmarks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from coldchain_dispatch.engines.problem import EngineResult, EngineRoute, RoutingProblem, Visit

NAME = "ortools"
FirstSolution = routing_enums_pb2.FirstSolutionStrategy


@dataclass(frozen=True, slots=True)
class _Nodes:
    locations: list[int]  # per OR-tools node
    service: list[int]
    starts: list[int]  # per expanded vehicle
    ends: list[int]
    owner: list[int]  # expanded vehicle -> RoutingProblem vehicle index
    visit: dict[int, Visit]  # node -> visit


def _nodes(problem: RoutingProblem) -> _Nodes:
    locations: list[int] = []
    service: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    owner: list[int] = []
    for vi, v in enumerate(problem.vehicles):
        for _ in range(v.count):
            owner.append(vi)
            for target, loc in ((starts, v.start), (ends, v.end)):
                target.append(len(locations))
                locations.append(loc)
                service.append(0)
    visit: dict[int, Visit] = {}
    for si, s in enumerate(problem.shipments):
        for step, pickup in ((s.pickup, True), (s.delivery, False)):
            visit[len(locations)] = Visit(si, pickup)
            locations.append(step.location)
            service.append(step.service)
    for ji, j in enumerate(problem.jobs):
        visit[len(locations)] = Visit(ji, False, job=True)
        locations.append(j.step.location)
        service.append(j.step.service)
    return _Nodes(locations, service, starts, ends, owner, visit)


def _demand(problem: RoutingProblem, visit: Visit, k: int) -> int:
    if visit.job:
        return -problem.jobs[visit.shipment].amount[k]
    amount = problem.shipments[visit.shipment].amount[k]
    return amount if visit.pickup else -amount


def solve(
    problem: RoutingProblem,
    time_limit_s: float,
    seed: int = 0,
    first_solution: int = FirstSolution.PARALLEL_CHEAPEST_INSERTION,
) -> EngineResult:
    """`seed` is accepted for a uniform signature; OR-tools' search is deterministic."""
    started = time.perf_counter()
    nodes = _nodes(problem)
    manager = pywrapcp.RoutingIndexManager(len(nodes.locations), len(nodes.owner), nodes.starts, nodes.ends)
    routing = pywrapcp.RoutingModel(manager)
    index = np.asarray(nodes.locations, dtype=np.int64)
    distance = problem.distance[np.ix_(index, index)]
    transit = problem.duration[np.ix_(index, index)] + np.asarray(nodes.service, dtype=np.int64)[:, None]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(distance.tolist()))
    horizon = int(max(max(v.tw_late for v in problem.vehicles), 0)) + 1
    routing.AddDimension(routing.RegisterTransitMatrix(transit.tolist()), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for k in range(problem.dimensions):
        demand = [0] * len(nodes.locations)
        for node, visit in nodes.visit.items():
            demand[node] = _demand(problem, visit, k)
        caps = [problem.vehicles[vi].capacity[k] for vi in nodes.owner]
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demand), 0, caps, not problem.jobs, f"load{k}"
        )
    for e, vi in enumerate(nodes.owner):
        v = problem.vehicles[vi]
        clock.CumulVar(routing.Start(e)).SetRange(v.tw_early, v.tw_late)
        clock.CumulVar(routing.End(e)).SetRange(v.tw_early, v.tw_late)
        if v.max_duration is not None:
            clock.SetSpanUpperBoundForVehicle(v.max_duration, e)
        routing.SetFixedCostOfVehicle(v.fixed_cost, e)
    solver = routing.solver()
    first_node = min(nodes.visit, default=0)
    for si, s in enumerate(problem.shipments):
        p = manager.NodeToIndex(first_node + 2 * si)
        d = manager.NodeToIndex(first_node + 2 * si + 1)
        clock.CumulVar(p).SetRange(s.pickup.tw_early, s.pickup.tw_late)
        clock.CumulVar(d).SetRange(s.delivery.tw_early, s.delivery.tw_late)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(clock.CumulVar(p) <= clock.CumulVar(d))
        if s.vehicles is not None:
            allowed = [e for e, vi in enumerate(nodes.owner) if vi in s.vehicles]
            routing.VehicleVar(p).SetValues([-1, *allowed])
            routing.VehicleVar(d).SetValues([-1, *allowed])
        if not s.required:
            routing.AddDisjunction([p, d], s.prize, 2)
    for ji, j in enumerate(problem.jobs):
        n = manager.NodeToIndex(first_node + 2 * len(problem.shipments) + ji)
        clock.CumulVar(n).SetRange(j.step.tw_early, j.step.tw_late)
        if j.vehicles is not None:
            routing.VehicleVar(n).SetValues(
                [-1, *(e for e, vi in enumerate(nodes.owner) if vi in j.vehicles)]
            )
        if not j.required:
            routing.AddDisjunction([n], j.prize)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(0.05, time_limit_s - (time.perf_counter() - started))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    solution = routing.SolveWithParameters(params)
    routes: list[EngineRoute] = []
    if solution is not None:
        for e, vi in enumerate(nodes.owner):
            visits: list[Visit] = []
            i = solution.Value(routing.NextVar(routing.Start(e)))
            while not routing.IsEnd(i):
                visits.append(nodes.visit[manager.IndexToNode(i)])
                i = solution.Value(routing.NextVar(i))
            if visits:
                routes.append(EngineRoute(vi, tuple(visits)))
    return EngineResult(
        engine=NAME,
        routes=tuple(routes),
        feasible=solution is not None,
        objective=int(solution.ObjectiveValue()) if solution is not None else None,
        wall_s=time.perf_counter() - started,
    )
