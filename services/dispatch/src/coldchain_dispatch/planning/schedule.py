"""Timing and loads of one vehicle's node sequence: feasible or not, and when.

Forward pass at the earliest times (waiting when early), then the departure is
delayed by as much as waiting allows without breaking a window (Savelsbergh's forward
slack), which gives the shortest route duration for that sequence. Used by the
heuristics to test moves and by every solver to time its routes the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coldchain_dispatch.planning.instance import Instance, initial_load


@dataclass(frozen=True, slots=True)
class Timing:
    departure_s: int
    arrivals: tuple[int, ...]
    starts: tuple[int, ...]  # service starts
    end_s: int
    metres: int


def _forward(inst: Instance, vi: int, seq: Sequence[int], t: int) -> tuple[list[int], list[int], int] | None:
    nodes = inst.nodes
    prev = inst.starts[vi]
    arrivals: list[int] = []
    starts: list[int] = []
    for n in seq:
        node = nodes[n]
        arrive = t + inst.travel(prev, n)
        begin = max(arrive, node.open_s)
        if begin > node.close_s:
            return None
        arrivals.append(arrive)
        starts.append(begin)
        t = begin + node.service_s
        prev = n
    end = t + inst.travel(prev, inst.ends[vi])
    return arrivals, starts, end


def loads_fit(inst: Instance, vi: int, seq: Sequence[int]) -> bool:
    """Every capacity dimension stays within [0, capacity] after every stop."""
    load = list(initial_load(inst, vi))
    caps = inst.capacities[vi]
    for n in seq:
        demand = inst.nodes[n].demand
        for k in range(4):
            load[k] += demand[k]
            if load[k] > caps[k] or load[k] < 0:
                return False
    return True


def timing(inst: Instance, vi: int, seq: Sequence[int]) -> Timing | None:
    """The timing of `seq` on vehicle `vi`, or None if a window, the shift or the max duration breaks."""
    ready = inst.nodes[inst.starts[vi]].open_s
    first = _forward(inst, vi, seq, ready)
    if first is None:
        return None
    arrivals, starts, end = first
    shift_end = inst.nodes[inst.ends[vi]].close_s
    if end > shift_end:
        return None
    delay = _slack(inst, seq, arrivals, starts)
    if delay > 0:
        again = _forward(inst, vi, seq, ready + delay)
        assert again is not None  # the delay never exceeds any window's slack
        arrivals, starts, end = again
    max_duration = int(inst.vehicles[vi].max_route_duration.total_seconds())
    if end - (ready + delay) > max_duration:
        return None
    metres = _metres(inst, vi, seq)
    return Timing(ready + delay, tuple(arrivals), tuple(starts), end, metres)


def _slack(inst: Instance, seq: Sequence[int], arrivals: list[int], starts: list[int]) -> int:
    waited = 0
    delay = None
    for n, arrive, begin in zip(seq, arrivals, starts, strict=True):
        waited += begin - arrive
        room = inst.nodes[n].close_s - begin + waited
        delay = room if delay is None else min(delay, room)
    if delay is None:
        return 0
    return max(0, min(delay, waited))


def _metres(inst: Instance, vi: int, seq: Sequence[int]) -> int:
    total = 0
    prev = inst.starts[vi]
    for n in seq:
        total += inst.dist(prev, n)
        prev = n
    return total + inst.dist(prev, inst.ends[vi])


def feasible(inst: Instance, vi: int, seq: Sequence[int]) -> Timing | None:
    """Capacities, windows, shift and duration; precedence is the caller's construction."""
    if not loads_fit(inst, vi, seq):
        return None
    return timing(inst, vi, seq)
