"""Independent VRPTW evaluator: double-precision distance and a feasibility check.

Engines optimise in scaled integers; this module is the only source of the distances and
feasibility we report, so it depends on nothing but the instance and the routes.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from coldchain_benchkit.vrptw.instance import DEPOT, VrptwInstance

# Absorbs floating-point summation order only; a route late by more than this is infeasible.
TIME_TOLERANCE = 1e-9

Routes = Sequence[Sequence[int]]


class ViolationKind(StrEnum):
    UNKNOWN_CLIENT = "unknown_client"
    DUPLICATE_CLIENT = "duplicate_client"
    MISSING_CLIENT = "missing_client"
    CAPACITY = "capacity"
    TIME_WINDOW = "time_window"
    DEPOT_RETURN = "depot_return"
    FLEET_SIZE = "fleet_size"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    route: int | None = None
    client: int | None = None

    def __str__(self) -> str:
        where = "".join(
            [
                f" route {self.route}" if self.route is not None else "",
                f" client {self.client}" if self.client is not None else "",
            ]
        )
        return f"{self.kind}{where}: {self.detail}"


@dataclass(frozen=True)
class Evaluation:
    """`distance` is NaN when a route names a client the instance does not have.

    A violation's `route` is its position among the non-empty routes.
    """

    distance: float
    vehicles: int
    violations: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def route_distance(instance: VrptwInstance, route: Sequence[int]) -> float:
    """Depot → clients in order → depot, summed arc by arc in double precision."""
    if not route:
        return 0.0
    d = instance.distance
    total = float(d[DEPOT, route[0]])
    for a, b in itertools.pairwise(route):
        total += float(d[a, b])
    return total + float(d[route[-1], DEPOT])


def _route_violations(instance: VrptwInstance, index: int, route: Sequence[int]) -> list[Violation]:
    load = sum(instance.demands[c] for c in route)
    found: list[Violation] = []
    if load > instance.capacity:
        found.append(
            Violation(ViolationKind.CAPACITY, f"load {load} > capacity {instance.capacity}", route=index)
        )
    d = instance.distance
    time = instance.time_windows[DEPOT][0]
    previous = DEPOT
    for client in route:
        early, late = instance.time_windows[client]
        start = max(time + float(d[previous, client]), early)  # waiting for the window is allowed
        if start > late + TIME_TOLERANCE:
            found.append(
                Violation(
                    ViolationKind.TIME_WINDOW,
                    f"service starts at {start:.6f} after due time {late:g}",
                    route=index,
                    client=client,
                )
            )
        time = start + instance.service_times[client]
        previous = client
    back = time + float(d[previous, DEPOT])
    due = instance.time_windows[DEPOT][1]
    if back > due + TIME_TOLERANCE:
        found.append(
            Violation(ViolationKind.DEPOT_RETURN, f"back at depot at {back:.6f} after {due:g}", route=index)
        )
    return found


def evaluate(instance: VrptwInstance, routes: Routes) -> Evaluation:
    """Distance of `routes` (client numbers, depot omitted) and every rule they break."""
    used = [list(r) for r in routes if r]
    violations: list[Violation] = []
    if len(used) > instance.fleet_size:
        violations.append(
            Violation(ViolationKind.FLEET_SIZE, f"{len(used)} routes > fleet size {instance.fleet_size}")
        )
    valid = set(instance.clients)
    visits = Counter(c for route in used for c in route)
    for client, count in sorted(visits.items()):
        if client not in valid:
            violations.append(
                Violation(ViolationKind.UNKNOWN_CLIENT, f"no client numbered {client}", client=client)
            )
        elif count > 1:
            violations.append(
                Violation(ViolationKind.DUPLICATE_CLIENT, f"visited {count} times", client=client)
            )
    violations.extend(
        Violation(ViolationKind.MISSING_CLIENT, "never visited", client=c)
        for c in sorted(valid - set(visits))
    )
    if any(v.kind is ViolationKind.UNKNOWN_CLIENT for v in violations):
        # Loads and schedules are undefined for clients the instance does not have.
        return Evaluation(distance=float("nan"), vehicles=len(used), violations=tuple(violations))
    for index, route in enumerate(used):
        violations.extend(_route_violations(instance, index, route))
    return Evaluation(
        distance=sum(route_distance(instance, r) for r in used),
        vehicles=len(used),
        violations=tuple(violations),
    )
