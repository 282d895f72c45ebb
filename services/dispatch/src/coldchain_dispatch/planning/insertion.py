"""Cheapest feasible insertion of one order into existing routes, nothing else moved.

Candidate positions (pick-up at i, delivery at j >= i) are priced by added distance
in O(1), pruned by the pick-up window (earliest times only grow along a route) and by
load, then checked in order of price with the full route check until one passes: the
first feasible one is the cheapest. Existing stops keep their relative order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coldchain_dispatch.planning.instance import Instance, initial_load
from coldchain_dispatch.planning.schedule import feasible


@dataclass(frozen=True, slots=True)
class Insertion:
    vehicle: int
    added_m: int
    sequence: list[int]


def _candidates(
    inst: Instance, vi: int, seq: Sequence[int], pickup: int, delivery: int
) -> list[tuple[int, int, int]]:
    nodes = inst.nodes
    caps = inst.capacities[vi]
    demand = nodes[pickup].demand
    load = list(initial_load(inst, vi))
    loads = [tuple(load)]
    for n in seq:
        load = [a + b for a, b in zip(load, nodes[n].demand, strict=True)]
        loads.append(tuple(load))
    chain = [inst.starts[vi], *seq, inst.ends[vi]]
    t = nodes[inst.starts[vi]].open_s
    out: list[tuple[int, int, int]] = []
    p_node = nodes[pickup]
    for i in range(len(seq) + 1):
        prev, nxt = chain[i], chain[i + 1]
        if i > 0:
            node = nodes[prev]
            t = max(t + inst.travel(chain[i - 1], prev), node.open_s) + node.service_s
        if t + inst.travel(prev, pickup) > p_node.close_s:
            break
        peak = [0, 0, 0, 0]
        for j in range(i, len(seq) + 1):
            peak = [max(a, b) for a, b in zip(peak, loads[j], strict=True)]
            if any(peak[k] + demand[k] > caps[k] for k in range(4)):
                break
            if i == j:
                added = inst.dist(prev, pickup) + inst.dist(pickup, delivery) + inst.dist(delivery, nxt)
                added -= inst.dist(prev, nxt)
            else:
                d_prev, d_next = chain[j], chain[j + 1]
                added = inst.dist(prev, pickup) + inst.dist(pickup, nxt) - inst.dist(prev, nxt)
                added += inst.dist(d_prev, delivery) + inst.dist(delivery, d_next) - inst.dist(d_prev, d_next)
            out.append((added, i, j))
    return out


def best_insertion(
    inst: Instance,
    sequences: Sequence[Sequence[int]],
    order_index: int,
    vehicles: Iterable[int] | None = None,
) -> Insertion | None:
    """The cheapest feasible insertion over `vehicles` (default: every allowed one)."""
    oid = inst.orders[order_index].order_id
    pickup, delivery = inst.pickup_node[oid], inst.delivery_node[oid]
    allowed = inst.allowed[order_index]
    pool = allowed if vehicles is None else [v for v in vehicles if v in allowed]
    ranked: list[tuple[int, int, int, int]] = []
    for vi in pool:
        ranked.extend(
            (added, vi, i, j) for added, i, j in _candidates(inst, vi, sequences[vi], pickup, delivery)
        )
    ranked.sort()
    for added, vi, i, j in ranked:
        seq = list(sequences[vi])
        candidate = [*seq[:i], pickup, *seq[i:j], delivery, *seq[j:]]
        if feasible(inst, vi, candidate) is not None:
            return Insertion(vi, added, candidate)
    return None
