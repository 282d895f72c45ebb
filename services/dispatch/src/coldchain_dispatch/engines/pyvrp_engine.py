"""PyVRP (iterated local search) on a `RoutingProblem`: shipments are PyVRP shipments, jobs clients.

Which vehicles may carry a shipment is expressed with PyVRP's routing profiles: a
vehicle's profile makes every leg into a stop it may not serve prohibitively long, so
any route through one has time warp and is infeasible. That needs such stops to have
locations of their own; `expresses` says whether a problem qualifies.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from pyvrp import (
    Activity,
    Client,
    CostEvaluator,
    Depot,
    Location,
    ProblemData,
    Route,
    Shipment,
    Solution,
    VehicleType,
)
from pyvrp import solve as pyvrp_solve
from pyvrp.constants import MAX_VALUE
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

from coldchain_dispatch.engines import problem as neutral
from coldchain_dispatch.engines.problem import EngineResult, EngineRoute, RoutingProblem, Visit

NAME = "pyvrp"
# Shares of the time limit: the search with fixed costs, each attempt at one vehicle
# fewer, and the distance search at the end (kept whatever the attempts do).
FLEET_SHARE = 0.2
ATTEMPT_SHARE = 0.15
POLISH_SHARE = 0.35
UNBOUNDED = int(np.iinfo(np.int64).max)


def _forbidden(problem: RoutingProblem) -> list[frozenset[int]]:
    """Per vehicle, the locations of the stops it may not serve."""
    out: list[set[int]] = [set() for _ in problem.vehicles]
    for t in problem.tasks:
        if t.vehicles is None:
            continue
        for vi in range(len(problem.vehicles)):
            if vi not in t.vehicles:
                out[vi].update(_locations(t))
    return [frozenset(f) for f in out]


def _locations(task: neutral.Shipment | neutral.Job) -> set[int]:
    if isinstance(task, neutral.Job):
        return {task.step.location}
    return {task.pickup.location, task.delivery.location}


def expresses(problem: RoutingProblem) -> bool:
    """False when a location a vehicle must avoid is also one it needs (a shared site)."""
    forbidden = _forbidden(problem)
    for vi, v in enumerate(problem.vehicles):
        if {v.start, v.end} & forbidden[vi]:
            return False
    for t in problem.tasks:
        for vi in t.vehicles if t.vehicles is not None else range(len(problem.vehicles)):
            if _locations(t) & forbidden[vi]:
                return False
    return True


def to_data(problem: RoutingProblem) -> ProblemData:
    size = problem.distance.shape[0]
    locations = [Location(x=0.0, y=0.0) for _ in range(size)]
    depot_of: dict[int, int] = {}
    depots: list[Depot] = []
    for v in problem.vehicles:
        for loc in (v.start, v.end):
            if loc not in depot_of:
                depot_of[loc] = len(depots)
                depots.append(Depot(location=loc))
    profiles: dict[frozenset[int], int] = {}
    matrices: list[tuple[Any, Any]] = []  # PyVRP's stubs type matrices as np.ndarray[int]
    vehicle_types: list[VehicleType] = []
    for v, forbidden in zip(problem.vehicles, _forbidden(problem), strict=True):
        if forbidden not in profiles:
            distance, duration = problem.distance.copy(), problem.duration.copy()
            blocked = sorted(forbidden)
            distance[:, blocked] = MAX_VALUE
            duration[:, blocked] = MAX_VALUE
            np.fill_diagonal(distance, 0)
            np.fill_diagonal(duration, 0)
            profiles[forbidden] = len(matrices)
            matrices.append((distance, duration))
        vehicle_types.append(
            VehicleType(
                num_available=v.count,
                capacity=list(v.capacity),
                start_depot=depot_of[v.start],
                end_depot=depot_of[v.end],
                fixed_cost=v.fixed_cost,
                tw_early=v.tw_early,
                tw_late=v.tw_late,
                shift_duration=UNBOUNDED if v.max_duration is None else v.max_duration,
                profile=profiles[forbidden],
            )
        )
    shipments = [
        Shipment(
            pickup_location=s.pickup.location,
            delivery_location=s.delivery.location,
            pickup_tw_early=s.pickup.tw_early,
            pickup_tw_late=s.pickup.tw_late,
            pickup_service_duration=s.pickup.service,
            delivery_tw_early=s.delivery.tw_early,
            delivery_tw_late=s.delivery.tw_late,
            delivery_service_duration=s.delivery.service,
            amount=list(s.amount),
            prize=s.prize,
            required=s.required,
        )
        for s in problem.shipments
    ]
    clients = [
        Client(
            location=j.step.location,
            delivery=list(j.amount),
            service_duration=j.step.service,
            tw_early=j.step.tw_early,
            tw_late=j.step.tw_late,
            prize=j.prize,
            required=j.required,
        )
        for j in problem.jobs
    ]
    return ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[m[0] for m in matrices],
        duration_matrices=[m[1] for m in matrices],
        shipments=shipments,
    )


def _activities(route: Route) -> list[Activity]:
    return [Activity(a.type, a.idx) for a in route if a.is_shipment() or a.is_client()]


def _run(
    data: ProblemData, seconds: float, seed: int, initial: Solution | None = None, first: bool = False
) -> Solution:
    stop: MaxRuntime | MultipleCriteria = MaxRuntime(max(0.01, seconds))
    if first:
        stop = MultipleCriteria([FirstFeasible(), stop])
    with warnings.catch_warnings():
        # An attempt at a fleet too small for any feasible plan hits PyVRP's penalty bound
        # and warns; that outcome is expected and read from the solution.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp_solve(
            data, stop=stop, seed=seed, collect_stats=False, display=False, initial_solution=initial
        )
    return result.best


def _fleet_first(data: ProblemData, deadline: float, budget: float, seed: int) -> Solution:
    """Vehicles first, then distance, for one type of identical vehicles with a fixed cost.

    A fixed cost alone leaves the iterated local search trading vehicles against distance
    all along; separating the goals did better on Li & Lim (docs/dispatch-benchmark.md).
    Search with the fixed cost; then short attempts, each with a fresh seed (whether one
    finds a smaller fleet depends on the seed far more than on its length), at one vehicle
    fewer than the best feasible plan; then the rest of the time on distance alone, the
    fleet capped at what was found.
    """
    best = _run(data, FLEET_SHARE * budget, seed)
    fleet = data.vehicle_type(0)
    polish_from = deadline - POLISH_SHARE * budget
    attempt = 0
    while best.is_feasible() and best.num_routes() > 1:
        left = polish_from - time.perf_counter()
        if left < 0.5 * ATTEMPT_SHARE * budget:
            break
        attempt += 1
        fewer = data.replace(vehicle_types=[fleet.replace(num_available=best.num_routes() - 1)])
        trial = _run(fewer, min(left, ATTEMPT_SHARE * budget), seed + attempt, first=True)
        if trial.is_feasible():
            best = Solution(data, [Route(data, _activities(r), 0) for r in trial.routes()])
    if not best.is_feasible():
        return best
    capped = data.replace(vehicle_types=[fleet.replace(num_available=best.num_routes(), fixed_cost=0)])
    start = Solution(capped, [Route(capped, _activities(r), 0) for r in best.routes()])
    polished = _run(capped, deadline - time.perf_counter(), seed, initial=start)
    if not polished.is_feasible():
        return best
    return Solution(data, [Route(data, _activities(r), 0) for r in polished.routes()])


def solve(problem: RoutingProblem, time_limit_s: float, seed: int = 0) -> EngineResult:
    if not expresses(problem):
        raise ValueError("pyvrp cannot express this problem: a restricted stop shares a location")
    started = time.perf_counter()
    deadline = started + time_limit_s
    data = to_data(problem)
    remaining = max(0.01, deadline - time.perf_counter())
    if len(problem.vehicles) == 1 and problem.vehicles[0].fixed_cost > 0:
        best = _fleet_first(data, deadline, remaining, seed)
    else:
        best = _run(data, remaining, seed)
    routes: list[EngineRoute] = []
    for route in best.routes():
        visits = tuple(
            Visit(a.idx, a.is_pickup(), job=a.is_client()) for a in route if a.is_shipment() or a.is_client()
        )
        if visits:
            routes.append(EngineRoute(route.vehicle_type(), visits))
    feasible = best.is_feasible()
    return EngineResult(
        engine=NAME,
        routes=tuple(routes),
        feasible=feasible,
        objective=int(CostEvaluator([0] * data.num_load_dimensions, 0, 0).cost(best)) if feasible else None,
        wall_s=time.perf_counter() - started,
    )
