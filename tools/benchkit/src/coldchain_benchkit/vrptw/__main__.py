"""`python -m coldchain_benchkit.vrptw FILE --seconds S [--seed N] [--engine auto|pyvrp|ortools]`.

Prints one JSON object as its last line (see `VrptwResult.as_json`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from coldchain_benchkit.vrptw.instance import load
from coldchain_benchkit.vrptw.solve import ENGINES, solve_vrptw


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coldchain_benchkit.vrptw", description=__doc__)
    parser.add_argument("file", help="VRPTW instance in VRPLIB format")
    parser.add_argument("--seconds", type=float, required=True, help="time limit (engine setup included)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=["auto", *sorted(ENGINES)], default="auto")
    args = parser.parse_args(argv)
    result = solve_vrptw(load(args.file), args.seconds, seed=args.seed, engine=args.engine)
    print(json.dumps(result.as_json()))
    return 0 if result.evaluation.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
