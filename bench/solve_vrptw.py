"""Solve one VRPTW instance (VRPLIB format) on one thread; the last line printed is one JSON object.

    .venv/bin/python bench/solve_vrptw.py FILE --seconds S [--seed N] [--engine E]
    (or `make solve-vrptw FILE=... SECONDS=...`)

FILE is a path or a Solomon instance name (looked up in shared/bench/vrptw/solomon/ beside the repository).
Engines: `auto` (ours: PyVRP for VRPTW), `pyvrp`, `ortools` (guided local search) from
coldchain_benchkit.vrptw, and `pyvrp-stock`: PyVRP used the way its documentation shows
(`pyvrp.read(..., round_func="exact")`, `Model.from_data`, `solve`), the anchor a user would
otherwise pick. Whatever the engine, distance and feasibility are recomputed from the routes by
our double-precision evaluator. Exit status 1 if the solution is infeasible.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from coldchain_benchkit.vrptw.evaluate import evaluate
from coldchain_benchkit.vrptw.instance import VrptwInstance, load
from coldchain_benchkit.vrptw.solution import EngineSolution
from coldchain_benchkit.vrptw.solve import ENGINES, VrptwResult, solve_vrptw
from coldchain_devtools.shared_data import vrptw_dir

SOLOMON = vrptw_dir() / "solomon"
STOCK = "pyvrp-stock"


def resolve(file: str) -> Path:
    path = Path(file)
    if path.exists():
        return path
    named = SOLOMON / f"{file}.vrp"
    if named.exists():
        return named
    raise SystemExit(f"no such instance file: {file} (nor {named})")


def solve_stock_pyvrp(path: Path, instance: VrptwInstance, seconds: float, seed: int) -> VrptwResult:
    from pyvrp import Model, read
    from pyvrp.stop import MaxRuntime

    started = time.perf_counter()
    model = Model.from_data(read(path, round_func="exact"))
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    # read() puts the depot at location 0 and client k at location k + 1 (the .sol numbering).
    routes = tuple(
        tuple(a.idx + 1 for a in route if a.is_client()) for route in result.best.routes() if len(route)
    )
    solution = EngineSolution(engine=STOCK, routes=tuple(r for r in routes if r))
    return VrptwResult(
        instance=instance.name,
        engine=solution.engine,
        seed=seed,
        routes=solution.routes,
        evaluation=evaluate(instance, solution.routes),
        seconds=time.perf_counter() - started,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=["auto", *sorted(ENGINES), STOCK], default="auto")
    args = parser.parse_args()
    path = resolve(args.file)
    instance = load(path)
    if args.engine == STOCK:
        result = solve_stock_pyvrp(path, instance, args.seconds, args.seed)
    else:
        result = solve_vrptw(instance, args.seconds, seed=args.seed, engine=args.engine)
    print(json.dumps(result.as_json()))
    return 0 if result.evaluation.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
