"""Independent Li & Lim evaluator: double-precision distance and every rule an answer breaks.

Shares nothing with the engines but the instance: each task served exactly once, a
request's pickup and delivery on one route with the pickup first, the load within
capacity after every stop, service starting inside each window (waiting is allowed) and
lasting its service time, every route back at the depot by its due time, at most the
instance's fleet.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from coldchain_benchkit.pdptw.instance import DEPOT, PdptwInstance

# Absorbs floating-point summation order only; later than this is late.
TIME_TOLERANCE = 1e-9

Routes = Sequence[Sequence[int]]


class ViolationKind(StrEnum):
    UNKNOWN_TASK = "unknown_task"
    DUPLICATE_TASK = "duplicate_task"
    MISSING_TASK = "missing_task"
    PAIRING = "pairing"
    PRECEDENCE = "precedence"
    CAPACITY = "capacity"
    TIME_WINDOW = "time_window"
    DEPOT_RETURN = "depot_return"
    FLEET_SIZE = "fleet_size"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    route: int | None = None
    task: int | None = None

    def __str__(self) -> str:
        where = (f" route {self.route}" if self.route is not None else "") + (
            f" task {self.task}" if self.task is not None else ""
        )
        return f"{self.kind}{where}: {self.detail}"


@dataclass(frozen=True)
class Evaluation:
    """`distance` is NaN when a route names a task the instance does not have."""

    distance: float
    vehicles: int
    violations: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def route_distance(instance: PdptwInstance, route: Sequence[int]) -> float:
    if not route:
        return 0.0
    d = instance.distance
    total = float(d[DEPOT, route[0]])
    for a, b in itertools.pairwise(route):
        total += float(d[a, b])
    return total + float(d[route[-1], DEPOT])


def _route_violations(instance: PdptwInstance, index: int, route: Sequence[int]) -> list[Violation]:
    tasks, d = instance.tasks, instance.distance
    found: list[Violation] = []
    position = {task: k for k, task in enumerate(route)}
    load, time, previous = 0, tasks[DEPOT].ready, DEPOT
    for task in route:
        t = tasks[task]
        mate = t.delivery or t.pickup
        if mate not in position:
            found.append(
                Violation(ViolationKind.PAIRING, f"its pair {mate} is on another route", index, task)
            )
        elif t.delivery and position[mate] < position[task]:
            found.append(Violation(ViolationKind.PRECEDENCE, f"delivery {mate} comes first", index, task))
        load += t.demand
        if load > instance.capacity:
            found.append(Violation(ViolationKind.CAPACITY, f"load {load} > {instance.capacity}", index, task))
        start = max(time + float(d[previous, task]), t.ready)
        if start > t.due + TIME_TOLERANCE:
            found.append(
                Violation(
                    ViolationKind.TIME_WINDOW, f"starts at {start:.6f} after due {t.due:g}", index, task
                )
            )
        time, previous = start + t.service, task
    back = time + float(d[previous, DEPOT])
    if back > tasks[DEPOT].due + TIME_TOLERANCE:
        found.append(
            Violation(ViolationKind.DEPOT_RETURN, f"back at {back:.6f} after {tasks[DEPOT].due:g}", index)
        )
    return found


def evaluate(instance: PdptwInstance, routes: Routes) -> Evaluation:
    """Distance of `routes` (task ids in visit order, depot omitted) and every rule they break."""
    used = [list(r) for r in routes if r]
    violations: list[Violation] = []
    if len(used) > instance.vehicles:
        violations.append(
            Violation(ViolationKind.FLEET_SIZE, f"{len(used)} routes > fleet {instance.vehicles}")
        )
    valid = set(range(1, len(instance.tasks)))
    visits = Counter(task for route in used for task in route)
    for task, count in sorted(visits.items()):
        if task not in valid:
            violations.append(Violation(ViolationKind.UNKNOWN_TASK, f"no task numbered {task}", task=task))
        elif count > 1:
            violations.append(Violation(ViolationKind.DUPLICATE_TASK, f"visited {count} times", task=task))
    violations.extend(
        Violation(ViolationKind.MISSING_TASK, "never visited", task=t) for t in sorted(valid - set(visits))
    )
    if any(v.kind is ViolationKind.UNKNOWN_TASK for v in violations):
        return Evaluation(float("nan"), len(used), tuple(violations))
    for index, route in enumerate(used):
        violations.extend(_route_violations(instance, index, route))
    return Evaluation(sum(route_distance(instance, r) for r in used), len(used), tuple(violations))
