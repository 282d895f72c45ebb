"""PDPTW on Google OR-tools routing: the optimiser behind `solve`.

Integer units (metres, seconds since the problem's epoch) come from `instance.py`.
Arc cost is road distance; every open order is a pick-up/delivery pair in one
disjunction whose penalty grows with priority, so the solver drops the least important
orders when not everything fits and the plan can say which and why. Loads already on
board are delivery-only nodes pinned to their vehicle with a prohibitive penalty.
The search starts from the greedy plan (always a feasible first plan, found in well
under a second) and improves it with guided local search until the time limit.
OR-tools routing has no random seed: `seed` reaches the greedy tie-break only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

from coldchain_dispatch.planning.greedy import greedy_sequences
from coldchain_dispatch.planning.instance import DIMENSIONS, Instance, build, initial_load
from coldchain_dispatch.planning.model import Plan, Problem, SolverStats
from coldchain_dispatch.planning.plans import build_plan
from coldchain_dispatch.planning.schedule import feasible

# Insertion-based LNS and chain-swap operators re-insert hundreds of unperformed pairs per
# move on an oversubscribed day; with them on, a 10 s search had not finished its first
# descent (bench: metro 9,008 km vs 8,760 km with them off, same orders served).
SLOW_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_swap_active_chain",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
)
PENALTY_PER_PRIORITY_STEP_M = 1_000_000  # 1,000 km of driving per step of priority (10 -> 1)
ONBOARD_PENALTY_M = 10**12


def drop_penalty(priority: int) -> int:
    return (11 - priority) * PENALTY_PER_PRIORITY_STEP_M


class _Model:
    def __init__(
        self,
        inst: Instance,
        keep: frozenset[str] = frozenset(),
        left_out: frozenset[str] = frozenset(),
        in_start: frozenset[str] = frozenset(),
    ) -> None:
        self.inst = inst
        self.keep = keep
        self.left_out = left_out
        self.in_start = in_start
        nodes = inst.nodes
        self.manager = pywrapcp.RoutingIndexManager(
            len(nodes), len(inst.vehicles), list(inst.starts), list(inst.ends)
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        dist_m, time_m = inst.node_matrices()
        routing = self.routing
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(dist_m))
        horizon = max(n.close_s for n in nodes) + 1
        routing.AddDimension(routing.RegisterTransitMatrix(time_m), horizon, horizon, False, "time")
        self.time = routing.GetDimensionOrDie("time")
        for k, name in enumerate(DIMENSIONS):
            if not _binding(inst, k):
                continue
            demand = routing.RegisterUnaryTransitVector([n.demand[k] for n in nodes])
            caps = [c[k] for c in inst.capacities]
            routing.AddDimensionWithVehicleCapacity(demand, 0, caps, False, name)
            dim = routing.GetDimensionOrDie(name)
            for vi in range(len(inst.vehicles)):
                dim.CumulVar(routing.Start(vi)).SetValue(initial_load(inst, vi)[k])
        self._vehicles()
        self._orders()

    def index(self, node: int) -> int:
        return int(self.manager.NodeToIndex(node))

    def _vehicles(self) -> None:
        inst, routing = self.inst, self.routing
        for vi, v in enumerate(inst.vehicles):
            start, end = inst.nodes[inst.starts[vi]], inst.nodes[inst.ends[vi]]
            self.time.CumulVar(routing.Start(vi)).SetRange(start.open_s, start.close_s)
            self.time.CumulVar(routing.End(vi)).SetRange(end.open_s, end.close_s)
            self.time.SetSpanUpperBoundForVehicle(int(v.max_route_duration.total_seconds()), vi)
            # A truck out on the road drives home even with nothing to do; OR-tools would
            # otherwise price an empty route at zero and "save" that drive.
            if start.point != end.point:
                routing.SetVehicleUsedWhenEmpty(True, vi)

    def _orders(self) -> None:
        inst, routing = self.inst, self.routing
        solver = routing.solver()
        for n, node in enumerate(inst.nodes):
            if node.order is not None:
                self.time.CumulVar(self.index(n)).SetRange(node.open_s, node.close_s)
        for oi, o in enumerate(inst.orders):
            delivery = self.index(inst.delivery_node[o.order_id])
            allowed = sorted(inst.allowed[oi])
            if o.order_id in inst.onboard_of:
                routing.VehicleVar(delivery).SetValues([-1, *allowed])
                routing.AddDisjunction([delivery], ONBOARD_PENALTY_M)
                continue
            pickup = self.index(inst.pickup_node[o.order_id])
            if (
                not allowed
                or o.order_id in self.left_out
                or (o.order_id not in (self.keep | self.in_start) and self._hopeless(oi, allowed))
            ):
                routing.ActiveVar(pickup).SetValue(0)
                routing.ActiveVar(delivery).SetValue(0)
                continue
            routing.AddPickupAndDelivery(pickup, delivery)
            solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(delivery))
            solver.Add(self.time.CumulVar(pickup) <= self.time.CumulVar(delivery))
            # SetAllowedVehiclesForIndex's Span argument does not bind in this SWIG build.
            routing.VehicleVar(pickup).SetValues([-1, *allowed])
            routing.VehicleVar(delivery).SetValues([-1, *allowed])
            penalty = ONBOARD_PENALTY_M if o.order_id in self.keep else drop_penalty(o.priority)
            routing.AddDisjunction([pickup, delivery], penalty, 2)

    def _hopeless(self, oi: int, allowed: list[int]) -> bool:
        """No vehicle could do this order even alone (loads on board may free room: not judged).

        Such orders stay out of the search: OR-tools checks its time limit between
        neighbourhood explorations, and hundreds of hopeless pairs made single explorations
        run for seconds past it.
        """
        inst = self.inst
        oid = inst.orders[oi].order_id
        pair = [inst.pickup_node[oid], inst.delivery_node[oid]]
        return not any(inst.vehicles[vi].onboard or feasible(inst, vi, pair) is not None for vi in allowed)

    def sequences(self, solution: pywrapcp.Assignment) -> list[list[int]]:
        result: list[list[int]] = []
        for vi in range(len(self.inst.vehicles)):
            seq: list[int] = []
            index = solution.Value(self.routing.NextVar(self.routing.Start(vi)))
            while not self.routing.IsEnd(index):
                seq.append(int(self.manager.IndexToNode(index)))
                index = solution.Value(self.routing.NextVar(index))
            result.append(seq)
        return result

    def read_routes(self, sequences: Sequence[Sequence[int]]) -> pywrapcp.Assignment | None:
        routes = [[self.index(n) for n in seq] for seq in sequences]
        return self.routing.ReadAssignmentFromRoutes(routes, True)


def _binding(inst: Instance, k: int) -> bool:
    """Whether capacity dimension k can ever bind; each one left out speeds every move up."""
    if k in (1, 2):  # per-compartment limits differ from the total only on a dual body
        return any(c[k] < c[0] and c[k] > 0 for c in inst.capacities) or any(
            c[1] == 0 and c[2] < c[0] for c in inst.capacities
        )
    if k == 3:  # weight: only when a full load of the heaviest pallets would be too heavy
        per_pallet = max((o.weight_kg / o.pallets for o in inst.orders), default=0.0)
        return any(c[3] < c[0] * per_pallet for c in inst.capacities)
    return True


def _orders_of(inst: Instance, seq: Sequence[int]) -> list[int]:
    return [o for o in (inst.nodes[n].order for n in seq) if o is not None]


def _left_out(inst: Instance, start: Sequence[Sequence[int]], max_waiting: int) -> frozenset[str]:
    """Orders kept out of the search on an oversubscribed day.

    Every order the starting plan leaves out is a pick-up/delivery pair the operators try
    to insert everywhere; with hundreds of them one exploration of an all-rejected
    neighbourhood ran for seconds past the time limit (OR-tools checks it between
    explorations). So only the `max_waiting` most important waiting orders (priority,
    then earliest pick-up) stay in; the others are reported as `fleet_fully_committed`.
    """
    served = {inst.nodes[n].order for seq in start for n in seq}
    waiting = sorted(
        (oi for oi, o in enumerate(inst.orders) if oi not in served and o.order_id in inst.pickup_node),
        key=lambda oi: (
            inst.orders[oi].priority,
            inst.nodes[inst.pickup_node[inst.orders[oi].order_id]].open_s,
            oi,
        ),
    )
    return frozenset(inst.orders[oi].order_id for oi in waiting[max_waiting:])


def _parameters(time_limit_s: float) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    # GLS scales its arc penalties with the objective, which drop penalties dominate here;
    # the default 0.1 then swamps real distances. 0.001 found shorter plans on the bench days.
    params.guided_local_search_lambda_coefficient = 0.001
    for name in SLOW_OPERATORS:
        setattr(params.local_search_operators, name, BOOL_FALSE)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return params


def solve_ortools(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    initial: Sequence[Sequence[int]] | None = None,
    instance: Instance | None = None,
    keep: frozenset[str] = frozenset(),
    max_waiting: int | None = None,
) -> Plan:
    """Optimise from `initial` node sequences if given, else from the greedy plan.

    Orders in `keep` (already promised) are as hard to drop as loads on board. Of the
    orders the starting plan leaves out, only the `max_waiting` most important (default:
    one per vehicle) compete for a place; see `_left_out`.
    """
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be > 0, got {time_limit_s}")
    started = time.perf_counter()
    inst = instance if instance is not None else build(problem)
    start_seqs = list(initial) if initial is not None else greedy_sequences(inst, seed)
    # Orders on the starting routes are never judged hopeless: the start must stay readable.
    in_start = frozenset(inst.orders[n].order_id for seq in start_seqs for n in _orders_of(inst, seq))
    left_out = _left_out(inst, start_seqs, len(inst.vehicles) if max_waiting is None else max_waiting)
    model = _Model(inst, keep, left_out, in_start)
    first: list[float] = []
    model.routing.AddAtSolutionCallback(
        lambda: first.append(time.perf_counter() - started) if not first else None
    )
    assignment = model.read_routes(start_seqs)
    elapsed = time.perf_counter() - started
    # The budget covers everything: keep a little for turning the solution into a plan.
    reserve = min(0.5, 0.05 * time_limit_s)
    params = _parameters(max(0.05, time_limit_s - elapsed - reserve))
    if assignment is not None:
        first_s: float | None = time.perf_counter() - started
        solution = model.routing.SolveFromAssignmentWithParameters(assignment, params)
    else:
        first_s = None
        solution = model.routing.SolveWithParameters(params)
    wall = time.perf_counter() - started
    sequences: list[list[int]]
    if solution is None:
        sequences = [list(s) for s in start_seqs] if assignment is not None else [[] for _ in inst.vehicles]
        objective = None
    else:
        sequences = model.sequences(solution)
        objective = int(solution.ObjectiveValue())
    if first_s is None and first:
        first_s = first[0]
    stats = SolverStats("ortools", seed, time_limit_s, wall, first_s, objective)
    return build_plan(inst, sequences, stats)
