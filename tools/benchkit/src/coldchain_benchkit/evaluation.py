"""What the independent evaluators (VRPTW, Li & Lim PDPTW) share: the verdict's shape and
the double-precision length of a closed route. Each evaluator keeps its own rules."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

# Absorbs floating-point summation order only; later than this is late.
TIME_TOLERANCE = 1e-9

Routes = Sequence[Sequence[int]]
V = TypeVar("V")


@dataclass(frozen=True)
class Evaluation(Generic[V]):
    """`distance` is NaN when a route names a stop the instance does not have.

    A violation's `route` is its position among the non-empty routes.
    """

    distance: float
    vehicles: int
    violations: tuple[V, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def closed_route_distance(distance: Any, route: Sequence[int], depot: int) -> float:
    """Depot → stops in order → depot over the matrix `distance`, summed arc by arc."""
    if not route:
        return 0.0
    total = float(distance[depot, route[0]])
    for a, b in itertools.pairwise(route):
        total += float(distance[a, b])
    return total + float(distance[route[-1], depot])
