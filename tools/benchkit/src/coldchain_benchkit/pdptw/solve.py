"""Solve a Li & Lim instance with the service's engine portfolio (or a plain reference).

`portfolio`: the portfolio as the service runs it, vehicles first (fixed cost per
vehicle). The references are what a user gets from each library out of the box:
`pyvrp-plain` (PyVRP shipments, distance only) and `ortools-plain` (pickup-and-delivery
pairs, path-cheapest-arc start, guided local search, distance only). Whatever ran,
distance and feasibility come from `evaluate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coldchain_benchkit.pdptw.evaluate import Evaluation, evaluate
from coldchain_benchkit.pdptw.instance import PdptwInstance
from coldchain_benchkit.pdptw.routing import task_routes, to_routing
from coldchain_dispatch.engines import ortools_engine, portfolio, pyvrp_engine
from coldchain_dispatch.engines.problem import EngineResult

Variant = Callable[[PdptwInstance, float, int], EngineResult]


def _portfolio(instance: PdptwInstance, seconds: float, seed: int) -> EngineResult:
    return portfolio.solve(to_routing(instance), seconds, seed)


def _pyvrp_plain(instance: PdptwInstance, seconds: float, seed: int) -> EngineResult:
    return pyvrp_engine.solve(to_routing(instance, vehicle_cost=0), seconds, seed)


def _ortools_plain(instance: PdptwInstance, seconds: float, seed: int) -> EngineResult:
    return ortools_engine.solve(
        to_routing(instance, vehicle_cost=0),
        seconds,
        seed,
        first_solution=ortools_engine.FirstSolution.PATH_CHEAPEST_ARC,
    )


VARIANTS: dict[str, Variant] = {
    "portfolio": _portfolio,
    "pyvrp-plain": _pyvrp_plain,
    "ortools-plain": _ortools_plain,
}


@dataclass(frozen=True)
class PdptwResult:
    instance: str
    variant: str
    engine: str
    routes: tuple[tuple[int, ...], ...]
    evaluation: Evaluation
    wall_s: float

    def as_json(self) -> dict[str, Any]:
        """The `make solve-pdptw` line: routes of task ids, and our evaluator's figures."""
        return {
            "routes": [list(r) for r in self.routes],
            "vehicles": self.evaluation.vehicles,
            "distance": round(self.evaluation.distance, 6),
            "wall_s": round(self.wall_s, 3),
        }


def solve_pdptw(
    instance: PdptwInstance, seconds: float, seed: int = 0, variant: str = "portfolio"
) -> PdptwResult:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {sorted(VARIANTS)}")
    started = time.perf_counter()
    result = VARIANTS[variant](instance, seconds, seed)
    routes = tuple(tuple(r) for r in task_routes(instance, result.routes))
    wall = time.perf_counter() - started
    return PdptwResult(instance.name, variant, result.engine, routes, evaluate(instance, routes), wall)
