"""Solve one Li & Lim PDPTW instance with the service's engine portfolio; prints one JSON line.

    .venv/bin/python bench/solve_pdptw.py FILE --seconds S [--seed N] [--variant V]
    (or `make solve-pdptw FILE=... SECONDS=...`)

FILE is a path or an instance name (looked up in shared/bench/pdptw/ beside the repository).
The line is `{"routes": [[task ids in visit order], ...], "vehicles": n, "distance": d,
"wall_s": s}`, distance recomputed in double precision by our evaluator. Any rule the
answer breaks goes to stderr and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coldchain_benchkit.pdptw.instance import load
from coldchain_benchkit.pdptw.solve import VARIANTS, solve_pdptw
from coldchain_devtools.shared_data import pdptw_dir


def resolve(file: str) -> Path:
    path = Path(file)
    if path.exists():
        return path
    named = pdptw_dir() / f"{file}.txt"
    if named.exists():
        return named
    raise SystemExit(f"no such instance file: {file} (nor {named})")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="portfolio")
    args = parser.parse_args()
    result = solve_pdptw(load(resolve(args.file)), args.seconds, args.seed, args.variant)
    print(json.dumps(result.as_json()))
    for violation in result.evaluation.violations:
        print(f"violation: {violation}", file=sys.stderr)
    return 0 if result.evaluation.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
