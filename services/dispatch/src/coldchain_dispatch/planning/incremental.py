"""Mode 2: put one new order into the running plans in well under a second.

The plan is cut at `now` (started stops stay locked), the order is written into the
cheapest feasible place of any compatible vehicle's remaining stops, and nothing
else moves. A background `reoptimise` (OR-tools from the current plan, same locks)
may improve the result later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from coldchain_dispatch.planning.insertion import best_insertion
from coldchain_dispatch.planning.instance import build
from coldchain_dispatch.planning.model import Order, Plan, Problem, SolverStats
from coldchain_dispatch.planning.ortools_solver import solve_ortools
from coldchain_dispatch.planning.plans import build_plan
from coldchain_dispatch.planning.rolling import cut, merge, sequences_of
from coldchain_dispatch.planning.travel import MatrixCache


@dataclass(frozen=True)
class Inserted:
    problem: Problem  # the original problem plus the new order
    plan: Plan
    vehicle_id: str | None  # None: dropped, `plan.dropped` says why


def insert_order(
    problem: Problem, plan: Plan, order: Order, *, now: datetime, cache: MatrixCache | None = None
) -> Inserted:
    """`cache` (a `MatrixCache` of `problem.travel` kept by the caller) skips re-pricing known places."""
    started = time.perf_counter()
    grown = Problem(problem.vehicles, (*problem.orders, order), problem.travel, problem.compatibility)
    c = cut(grown, plan, now)
    inst = build(c.problem, cache=cache)
    sequences = sequences_of(inst, c.remaining)
    oi = next(i for i, o in enumerate(inst.orders) if o.order_id == order.order_id)
    found = best_insertion(inst, sequences, oi)
    vehicle_id = None
    if found is not None:
        sequences[found.vehicle] = found.sequence
        vehicle_id = inst.vehicles[found.vehicle].vehicle_id
    wall = time.perf_counter() - started
    # Nothing else moved, so every other order's drop reason still holds.
    known = {d.order_id: d for d in plan.dropped}
    derived = build_plan(inst, sequences, SolverStats("insertion", 0, 0.0, wall, wall), known)
    return Inserted(grown, merge(c, derived), vehicle_id)


def reoptimise(problem: Problem, plan: Plan, *, now: datetime, time_limit_s: float, seed: int = 0) -> Plan:
    """OR-tools from the current plan's remaining stops; locked stops untouched.

    Orders the plan already serves stay served (they may move to another vehicle or
    position); only orders it dropped compete on priority.
    """
    c = cut(problem, plan, now)
    if not c.problem.orders or not c.problem.vehicles:
        return plan  # nothing left to improve; OR-tools aborts the process on an empty model
    inst = build(c.problem)
    derived = solve_ortools(
        c.problem,
        time_limit_s=time_limit_s,
        seed=seed,
        initial=sequences_of(inst, c.remaining),
        instance=inst,
        keep=plan.served_order_ids,
    )
    return merge(c, derived)
