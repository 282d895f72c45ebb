"""How long the dispatch service's event loop stalls while a 500-order plan solves.

    .venv/bin/python bench/dispatch_loop_latency.py [--seed N] [--time-limit S]
        [--engine portfolio|ortools|greedy] [--where process|thread]

The loop runs Kafka's heartbeats and HTTP. The planner solves requested plans in a separate
process (`SolverProcess`, `--where process`, the service's default) or, with
`DISPATCH_SOLVE_IN_PROCESS=false`, a worker thread (`--where thread`), where a solver holding
the GIL starves the loop. A ticker sleeping 50 ms records how late each wake-up is while
`solve_checked` (solve + validator, exactly what the planner runs) plans a seeded metro day
of 60 vehicles and 500 orders. The process is started (and its imports warmed) before the
measurement, as the service's would be after its first plan. Ends with `RESULT {json}`;
target (issue 16): p99 under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

from coldchain_benchkit.scenario import generate
from coldchain_dispatch.planner import solve_checked
from coldchain_dispatch.planning import Method
from coldchain_dispatch.solver_process import InThread, SolverProcess

TICK_S = 0.05


async def measure(seed: int, time_limit_s: float, engine: Method, where: str) -> dict[str, float | int | str]:
    problem = generate("metro", seed=seed, vehicles=60, orders=500)
    solver = SolverProcess() if where == "process" else InThread()
    warm = generate("metro", seed=seed, vehicles=2, orders=4)
    await solver.run(solve_checked, warm, engine, 0.2, seed)
    delays: list[float] = []
    solving = True

    async def ticker() -> None:
        last = time.perf_counter()
        while solving:
            await asyncio.sleep(TICK_S)
            now = time.perf_counter()
            delays.append(now - last - TICK_S)
            last = now

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    plan = await solver.run(solve_checked, problem, engine, time_limit_s, seed)
    wall = time.perf_counter() - started
    solving = False
    await task
    solver.close()
    ordered = sorted(delays)
    return {
        "engine": engine,
        "where": where,
        "plan_method": plan.stats.method,
        "solve_s": round(wall, 2),
        "orders_served": len(plan.served_order_ids),
        "ticks": len(delays),
        "expected_ticks": int(wall / TICK_S),
        "p50_loop_delay_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_loop_delay_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "p99_loop_delay_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1),
        "max_loop_delay_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engine", choices=["portfolio", "ortools", "greedy"], default="portfolio")
    parser.add_argument("--where", choices=["process", "thread"], default="process")
    args = parser.parse_args()
    result = asyncio.run(measure(args.seed, args.time_limit, args.engine, args.where))
    result["load_average"] = round(os.getloadavg()[0], 2)
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
