"""Solomon VRPTW benchmark for the dispatch engine, with PyVRP and OR-tools as anchors.

    .venv/bin/python bench/dispatch_vrptw.py [--limits 1,5,30] [--instances C101,R101]
        [--anchor-limits 5] [--seed 0]        (or `make bench-dispatch LIMITS=... INSTANCES=...`)

Runs `bench/solve_vrptw.py` (our entry point, engine `auto`) in a fresh process on every
instance of shared/bench/vrptw/solomon/ (beside the repository) at each time limit, then the anchors at the
anchor limits: `pyvrp-stock` (PyVRP as its documentation shows it) and `ortools` (guided
local search). Every distance is our evaluator's double-precision figure; the gap is
100 * (distance - bks) / bks against bks_routes_double_precision.csv. An infeasible solution
gets no gap and is counted apart. Prints one line per run, a summary per limit and anchor,
and a final `RESULT {json}`. One solver process at a time, one thread each.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from coldchain_devtools.shared_data import vrptw_dir

HERE = Path(__file__).resolve().parent
SOLVE = HERE / "solve_vrptw.py"
BENCH = vrptw_dir()
SOLOMON = BENCH / "solomon"
BKS = BENCH / "bks_routes_double_precision.csv"
ANCHORS = ("pyvrp-stock", "ortools")
TARGET = {"limit_s": 5.0, "mean_gap_pct_max": 1.0}


def read_bks() -> dict[str, tuple[float, bool]]:
    with BKS.open() as f:
        return {
            row["instance"]: (
                float(row["bks_routes_distance_double"]),
                row["bks_routes_feasible_double"] == "True",
            )
            for row in csv.DictReader(f)
        }


def run(instance: str, limit: float, engine: str, seed: int, bks: float) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(SOLVE), str(SOLOMON / f"{instance}.vrp"), "--seconds", str(limit),
         "--engine", engine, "--seed", str(seed)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    lines = proc.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(
            f"{engine} on {instance} printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}"
        )
    out = json.loads(lines[-1])
    feasible = bool(out["feasible"])
    return {
        "instance": instance,
        "engine": engine,
        "limit_s": limit,
        "vehicles": out["vehicles"],
        "distance": out["distance"],
        "bks": bks,
        "gap_pct": round(100 * (out["distance"] - bks) / bks, 4) if feasible else None,
        "feasible": feasible,
        "solver_s": out["seconds"],
        "wall_s": round(wall, 3),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    return {
        "runs": len(rows),
        "infeasible": sum(not r["feasible"] for r in rows),
        "mean_gap_pct": round(statistics.fmean(gaps), 4) if gaps else None,
        "max_gap_pct": round(max(gaps), 4) if gaps else None,
        "mean_vehicles": round(statistics.fmean(r["vehicles"] for r in rows), 2) if rows else None,
        "mean_wall_s": round(statistics.fmean(r["wall_s"] for r in rows), 3) if rows else None,
    }


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limits", type=floats, default=[1.0, 5.0, 30.0], help="comma-separated seconds")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all)")
    parser.add_argument("--anchor-limits", type=floats, default=[5.0], help="limits for the anchors")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    bks = read_bks()
    available = sorted(p.stem for p in SOLOMON.glob("*.vrp"))
    instances = [i.strip() for i in args.instances.split(",") if i.strip()] or available
    missing = [i for i in instances if i not in available or i not in bks]
    if missing:
        raise SystemExit(f"unknown instances (no .vrp or no BKS): {missing}")

    plan = [(limit, "auto") for limit in args.limits] + [
        (lim, a) for a in ANCHORS for lim in args.anchor_limits
    ]
    budget = sum(limit for limit, _ in plan) * len(instances)
    print(
        f"{len(instances)} instances x {len(plan)} runs each, ~{budget / 60:.1f} min of solver time; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    print(
        f"{'engine':<12}{'limit':>6}  {'instance':<8}{'veh':>4}{'distance':>12}{'bks':>12}{'gap%':>8}{'wall s':>8}"
    )
    rows: list[dict[str, Any]] = []
    for limit, engine in plan:
        for instance in instances:
            bks_distance, _ = bks[instance]
            row = run(instance, limit, engine, args.seed, bks_distance)
            rows.append(row)
            gap = f"{row['gap_pct']:8.2f}" if row["feasible"] else "  INFEAS"
            print(
                f"{engine:<12}{limit:>6g}  {instance:<8}{row['vehicles']:>4}{row['distance']:>12.4f}"
                f"{bks_distance:>12.4f}{gap}{row['wall_s']:>8.2f}",
                flush=True,
            )

    print()
    ours = {
        f"{limit:g}": summarise([r for r in rows if r["engine"] == "auto" and r["limit_s"] == limit])
        for limit in args.limits
    }
    anchors = {
        f"{a}@{limit:g}": summarise([r for r in rows if r["engine"] == a and r["limit_s"] == limit])
        for a in ANCHORS
        for limit in args.anchor_limits
    }
    for label, summary in [*((f"ours@{k}", v) for k, v in ours.items()), *anchors.items()]:
        print(
            f"{label:<18} mean gap {summary['mean_gap_pct']}%  max {summary['max_gap_pct']}%  "
            f"infeasible {summary['infeasible']}/{summary['runs']}  mean vehicles {summary['mean_vehicles']}  "
            f"mean wall {summary['mean_wall_s']} s",
            flush=True,
        )
    at_target = ours.get(f"{TARGET['limit_s']:g}")
    met = (
        at_target is not None
        and at_target["infeasible"] == 0
        and at_target["mean_gap_pct"] is not None
        and at_target["mean_gap_pct"] <= TARGET["mean_gap_pct_max"]
    )
    infeasible_bks = [i for i in instances if not bks[i][1]]
    result = {
        "benchmark": "solomon-vrptw",
        "engine": "auto",
        "instances": len(instances),
        "seed": args.seed,
        "mean_gap_pct": {k: v["mean_gap_pct"] for k, v in ours.items()},
        "limits": ours,
        "anchors": anchors,
        "target": {**TARGET, "met": met if at_target is not None else None},
        "bks_infeasible_in_double": infeasible_bks,
        "cpus": os.cpu_count(),
        "load_average_end": round(os.getloadavg()[0], 2),
        "rows": rows,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
