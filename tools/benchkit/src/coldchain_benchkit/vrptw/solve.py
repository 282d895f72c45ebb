"""Our VRPTW entry point: the service's engine portfolio on the instance, re-evaluated.

The instance is compiled to the portfolio's `RoutingProblem` (clients as jobs), so
`make solve-vrptw` and `make bench-dispatch` measure the engines plan requests run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from coldchain_benchkit.vrptw.evaluate import Evaluation, evaluate
from coldchain_benchkit.vrptw.instance import VrptwInstance
from coldchain_benchkit.vrptw.routing import client_routes, to_routing
from coldchain_benchkit.vrptw.scaled import scale
from coldchain_dispatch.engines import portfolio

ENGINES = portfolio.ENGINES


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
    started = time.perf_counter()
    problem = to_routing(instance, scale(instance))
    remaining = max(0.01, seconds - (time.perf_counter() - started))
    solution = portfolio.solve(problem, remaining, seed=seed, engine=engine)
    routes = client_routes(instance, solution.routes)
    elapsed = time.perf_counter() - started
    return VrptwResult(
        instance=instance.name,
        engine=solution.engine,
        seed=seed,
        routes=routes,
        evaluation=evaluate(instance, routes),
        seconds=elapsed,
    )
