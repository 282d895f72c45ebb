"""Li & Lim PDPTW benchmark: the service's engine portfolio against plain PyVRP and plain OR-tools.

    .venv/bin/python bench/dispatch_pdptw.py [--seconds 10] [--instances lc101,lr202]
        [--variants portfolio,pyvrp-plain,ortools-plain] [--dir DIR]   (or `make bench-pdptw`)

Every instance of shared/bench/pdptw/ (beside the repository; `--dir` for others, with or
without a bks.csv) is solved by each variant in a fresh process (`bench/solve_pdptw.py`,
one thread) at the same time limit, in one run. Vehicles and distance are our evaluator's;
an answer that breaks any rule or misses a task is infeasible and gets no gap. The gap is
100 * (distance - bks) / bks, negative gaps counted as 0 in the mean. Target (issue 16):
every portfolio answer feasible and complete, mean gap <= 1 %, at most 2 vehicles over the
best-known counts summed. Prints one line per run, a summary per variant, the machine's
load average, and a final `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from coldchain_devtools.shared_data import pdptw_dir

HERE = Path(__file__).resolve().parent
SOLVE = HERE / "solve_pdptw.py"
VARIANTS = ("portfolio", "pyvrp-plain", "ortools-plain")
TARGET = {"mean_gap_pct_max": 1.0, "vehicles_over_bks_max": 2}


def read_bks(folder: Path) -> dict[str, tuple[int, float]]:
    path = folder / "bks.csv"
    if not path.exists():
        return {}
    with path.open() as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(f)}


def run(file: Path, variant: str, seconds: float, seed: int) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            str(SOLVE),
            str(file),
            "--seconds",
            str(seconds),
            "--seed",
            str(seed),
            "--variant",
            variant,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    answer: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    answer["feasible"] = proc.returncode == 0 and bool(lines)
    answer["violations"] = proc.stderr.strip().splitlines()[:3]
    return answer


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    feasible = [r for r in rows if r["feasible"]]
    gaps = [max(0.0, r["gap_pct"]) for r in feasible if r.get("gap_pct") is not None]
    over = [r["vehicles"] - r["bks_vehicles"] for r in feasible if r.get("bks_vehicles") is not None]
    return {
        "instances": len(rows),
        "feasible": len(feasible),
        "mean_gap_pct": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "max_gap_pct": round(max(gaps), 3) if gaps else None,
        "vehicles_over_bks": sum(over) if over else None,
        "vehicles_over_bks_positive": sum(max(0, o) for o in over) if over else None,
        "mean_wall_s": round(sum(r["wall_s"] for r in feasible) / len(feasible), 2) if feasible else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--instances", help="comma-separated names (default: every *.txt)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--dir", type=Path, help="folder of Li & Lim files (default: shared/bench/pdptw)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = args.dir or pdptw_dir()
    bks = read_bks(folder)
    names = args.instances.split(",") if args.instances else sorted(p.stem for p in folder.glob("*.txt"))
    variants = args.variants.split(",")
    print(
        f"{len(names)} instances x {variants} at {args.seconds:g} s; load average at start "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    print(
        f"{'instance':9} {'variant':14} {'veh':>4} {'bks':>4} {'distance':>11} {'bks dist':>11} {'gap %':>7} {'wall s':>7} {'load':>5}"
    )
    rows: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for name in names:
        for variant in variants:
            answer = run(folder / f"{name}.txt", variant, args.seconds, args.seed)
            bv, bd = bks.get(name, (None, None))
            row = {"instance": name, "variant": variant, "bks_vehicles": bv, "bks_distance": bd, **answer}
            row.setdefault("wall_s", 0.0)
            row["gap_pct"] = (
                100.0 * (answer["distance"] - bd) / bd if answer["feasible"] and bd is not None else None
            )
            rows[variant].append(row)
            gap = f"{row['gap_pct']:7.2f}" if row["gap_pct"] is not None else "      -"
            dist = f"{answer['distance']:11.2f}" if answer["feasible"] else " INFEASIBLE"
            print(
                f"{name:9} {variant:14} {answer.get('vehicles', '-'):>4} {bv if bv is not None else '-':>4} "
                f"{dist} {bd if bd is not None else '-':>11} {gap} {row['wall_s']:7.2f} "
                f"{os.getloadavg()[0]:5.2f}",
                flush=True,
            )
            for v in answer["violations"]:
                print(f"    {v}", flush=True)
    summary = {v: summarise(r) for v, r in rows.items()}
    for v, s in summary.items():
        print(
            f"{v:14} feasible {s['feasible']}/{s['instances']}  mean gap {s['mean_gap_pct']} %  "
            f"max gap {s['max_gap_pct']} %  vehicles over bks {s['vehicles_over_bks']}"
        )
    main_summary = summary.get("portfolio")
    met = (
        main_summary is not None
        and main_summary["feasible"] == main_summary["instances"]
        and main_summary["mean_gap_pct"] is not None
        and main_summary["mean_gap_pct"] <= TARGET["mean_gap_pct_max"]
        and (main_summary["vehicles_over_bks_positive"] or 0) <= TARGET["vehicles_over_bks_max"]
    )
    result = {
        "bench": "dispatch_pdptw",
        "seconds": args.seconds,
        "seed": args.seed,
        "instances": names,
        "summary": summary,
        "target": TARGET,
        "target_met": met,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
