"""`make simulate-day`: one operating day through the real services, greedy vs optimiser.

Each engine plans the same seeded day (same trucks, same orders) on a fresh system of its
own (private Kafka, PostgreSQL, Redis and the five services, `sim_system`); the simulator
then drives the day in compressed time through the gateway. The table is computed from
what the system recorded (orders API, tracking's /v1/kpis, plan records), not from the
plans (docs/simulated-day.md). Ends with `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path

from coldchain_devtools.sim_day import DaySpec, tomorrow
from coldchain_devtools.sim_day_report import summary, table
from coldchain_devtools.sim_system import REPO, simulate_engine


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trucks", type=int, default=20)
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--speed", type=float, default=300.0, help="simulated seconds per wall second, at most"
    )
    parser.add_argument(
        "--step", type=float, default=30.0, help="simulated seconds between two fixes of a truck"
    )
    parser.add_argument(
        "--time-limit", type=float, default=20.0, help="solver time limit of the plan, seconds"
    )
    parser.add_argument(
        "--day", type=date.fromisoformat, default=None, help="simulated day (default: tomorrow, Seoul)"
    )
    parser.add_argument("--engines", default="greedy,optimiser")
    args = parser.parse_args()
    spec = DaySpec(
        day=args.day or tomorrow(),
        trucks=args.trucks,
        orders=args.orders,
        seed=args.seed,
        speed=args.speed,
        step_s=args.step,
        time_limit_s=args.time_limit,
    )
    root = Path(os.environ.get("COLDCHAIN_LOCAL_DIR") or REPO / ".local") / "simulate-day"
    started = time.monotonic()
    log(
        f"simulating {spec.day} with {spec.trucks} trucks and {spec.orders} orders at up to {spec.speed:.0f}x"
    )
    summaries = []
    for engine in args.engines.split(","):
        begun = time.monotonic()
        run = simulate_engine(spec, engine, root, log)
        summaries.append({**summary(run), "wall_s": round(time.monotonic() - begun, 1)})
        log(f"[{engine}] done in {summaries[-1]['wall_s']:.0f}s")
    print(table(summaries), flush=True)
    total = round(time.monotonic() - started, 1)
    log(f"total {total:.0f}s")
    result = {
        "day": spec.day.isoformat(),
        "trucks": spec.trucks,
        "orders": spec.orders,
        "seed": spec.seed,
        "speed": spec.speed,
        "wall_s": total,
        "runs": summaries,
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
