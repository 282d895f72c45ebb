"""How long the dispatch service's event loop stalls while a plan is solved in a worker thread.

    .venv/bin/python bench/dispatch_loop_latency.py [--seed N] [--time-limit S] [--engine ortools|greedy]

The service solves with `asyncio.to_thread` so the loop keeps running Kafka's heartbeats
(aiokafka sends them from the loop; the group's session times out after 10 s by default).
A solver holding the GIL would starve the loop anyway, so this measures it: a ticker
sleeping 50 ms records how late each wake-up is while `solve_checked` (solve + validator,
exactly what the planner runs) plans a seeded metro day of 60 vehicles and 500 orders.
Ends with `RESULT {json}`; the figure to watch is `max_loop_delay_ms` against the 10 s
session timeout (and the 3 s heartbeat interval).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from coldchain_dispatch.planner import solve_checked
from coldchain_dispatch.planning import Method
from coldchain_dispatch.planning.scenario import generate

TICK_S = 0.05


async def measure(seed: int, time_limit_s: float, engine: Method) -> dict[str, float | int | str]:
    problem = generate("metro", seed=seed, vehicles=60, orders=500)
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
    plan = await asyncio.to_thread(solve_checked, problem, engine, time_limit_s, seed)
    wall = time.perf_counter() - started
    solving = False
    await task
    ordered = sorted(delays)
    return {
        "engine": engine,
        "solve_s": round(wall, 2),
        "orders_served": len(plan.served_order_ids),
        "ticks": len(delays),
        "expected_ticks": int(wall / TICK_S),
        "p50_loop_delay_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_loop_delay_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_loop_delay_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engine", choices=["ortools", "greedy"], default="ortools")
    args = parser.parse_args()
    result = asyncio.run(measure(args.seed, args.time_limit, args.engine))
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
