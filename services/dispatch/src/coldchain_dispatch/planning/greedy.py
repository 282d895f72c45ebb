"""The baseline: what a dispatcher does by hand, nearest feasible vehicle first.

Orders are taken in the order they become workable (pick-up window opening, then
priority). Each goes to the compatible vehicle whose run sheet passes nearest to its
pick-up (its origin or any stop already on it) and that can still take it; on that
vehicle it is written in where it adds the least distance. Nobody revisits earlier
decisions. Loads already on board are delivered first. `seed` breaks ties only.
"""

from __future__ import annotations

import random
import time

from coldchain_dispatch.planning.insertion import best_insertion
from coldchain_dispatch.planning.instance import Instance, build
from coldchain_dispatch.planning.model import Plan, Problem, SolverStats
from coldchain_dispatch.planning.plans import build_plan
from coldchain_dispatch.planning.schedule import feasible


def greedy_sequences(inst: Instance, seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    tiebreak = list(range(len(inst.vehicles)))
    rng.shuffle(tiebreak)
    sequences: list[list[int]] = [[] for _ in inst.vehicles]
    for vi, v in enumerate(inst.vehicles):
        for oid in sorted(v.onboard, key=lambda oid: inst.nodes[inst.delivery_node[oid]].close_s):
            candidate = [*sequences[vi], inst.delivery_node[oid]]
            if feasible(inst, vi, candidate) is not None:
                sequences[vi] = candidate
    todo = sorted(
        (oi for oi, o in enumerate(inst.orders) if o.order_id in inst.pickup_node),
        key=lambda oi: (
            inst.nodes[inst.pickup_node[inst.orders[oi].order_id]].open_s,
            inst.orders[oi].priority,
            oi,
        ),
    )
    for oi in todo:
        pickup = inst.pickup_node[inst.orders[oi].order_id]

        def nearness(vi: int, pickup: int = pickup) -> tuple[int, int]:
            points = [inst.starts[vi], *sequences[vi]]
            return min(inst.dist(n, pickup) for n in points), tiebreak[vi]

        for vi in sorted(inst.allowed[oi], key=nearness):
            found = best_insertion(inst, sequences, oi, (vi,))
            if found is not None:
                sequences[vi] = found.sequence
                break
    return sequences


def solve_greedy(problem: Problem, *, seed: int = 0) -> Plan:
    started = time.perf_counter()
    inst = build(problem)
    sequences = greedy_sequences(inst, seed)
    wall = time.perf_counter() - started
    return build_plan(inst, sequences, SolverStats("greedy", seed, 0.0, wall, wall))
