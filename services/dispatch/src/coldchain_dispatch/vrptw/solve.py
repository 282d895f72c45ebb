"""Our VRPTW entry point: pick an engine for the problem class, solve, re-evaluate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coldchain_dispatch.vrptw.engines import ortools_engine, pyvrp_engine
from coldchain_dispatch.vrptw.engines.solution import EngineSolution
from coldchain_dispatch.vrptw.evaluate import Evaluation, evaluate
from coldchain_dispatch.vrptw.instance import VrptwInstance

Engine = Callable[[VrptwInstance, float, int], EngineSolution]

ENGINES: dict[str, Engine] = {
    pyvrp_engine.NAME: pyvrp_engine.solve,
    ortools_engine.NAME: ortools_engine.solve,
}
# Capacitated VRP with time windows, distance objective: PyVRP (see docs/dispatch-benchmark.md).
AUTO_ENGINE = pyvrp_engine.NAME


@dataclass(frozen=True)
class VrptwResult:
    instance: str
    engine: str
    seed: int
    routes: tuple[tuple[int, ...], ...]
    evaluation: Evaluation
    seconds: float

    def as_json(self) -> dict[str, Any]:
        """The CLI's output object; distance and feasibility come from our evaluator."""
        return {
            "instance": self.instance,
            "vehicles": self.evaluation.vehicles,
            "distance": round(self.evaluation.distance, 6),
            "seconds": round(self.seconds, 3),
            "routes": [list(r) for r in self.routes],
            "feasible": self.evaluation.feasible,
            "violations": [str(v) for v in self.evaluation.violations],
            "engine": self.engine,
            "seed": self.seed,
        }


def solve_vrptw(instance: VrptwInstance, seconds: float, seed: int = 0, engine: str = "auto") -> VrptwResult:
    """Solve on one thread within about `seconds` (engine setup included)."""
    name = AUTO_ENGINE if engine == "auto" else engine
    if name not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose auto or one of {sorted(ENGINES)}")
    started = time.perf_counter()
    solution = ENGINES[name](instance, seconds, seed)
    elapsed = time.perf_counter() - started
    return VrptwResult(
        instance=instance.name,
        engine=solution.engine,
        seed=seed,
        routes=solution.routes,
        evaluation=evaluate(instance, solution.routes),
        seconds=elapsed,
    )
