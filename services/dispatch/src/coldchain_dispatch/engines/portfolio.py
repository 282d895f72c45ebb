"""The portfolio: choose the engine by what it can express, solve, report which one ran.

PyVRP first (state of the art on pickup-and-delivery with time windows, measured in
docs/dispatch-benchmark.md); OR-tools for what PyVRP cannot express here (restricted
stops sharing a location). Callers validate every answer independently.
"""

from __future__ import annotations

from collections.abc import Callable

from coldchain_dispatch.engines import ortools_engine, pyvrp_engine
from coldchain_dispatch.engines.problem import EngineResult, RoutingProblem

Engine = Callable[[RoutingProblem, float, int], EngineResult]

ENGINES: dict[str, Engine] = {
    pyvrp_engine.NAME: pyvrp_engine.solve,
    ortools_engine.NAME: ortools_engine.solve,
}
AUTO = "auto"


def choose(problem: RoutingProblem) -> str:
    return pyvrp_engine.NAME if pyvrp_engine.expresses(problem) else ortools_engine.NAME


def solve(problem: RoutingProblem, time_limit_s: float, seed: int = 0, engine: str = AUTO) -> EngineResult:
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be > 0, got {time_limit_s}")
    name = choose(problem) if engine == AUTO else engine
    if name not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose {AUTO} or one of {sorted(ENGINES)}")
    return ENGINES[name](problem, time_limit_s, seed)
