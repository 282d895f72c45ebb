"""Dispatch planning benchmark: optimiser vs greedy dispatcher on seeded 500-order days.

    .venv/bin/python bench/dispatch_scenario.py [--seed N] [--time-limit S] [--inserts N]
    (or `make bench-dispatch-scenario`)

Per mode (metro multi-drop, linehaul full truckloads), 60 vehicles and 500 orders:
  1. greedy nearest-feasible-vehicle dispatcher and the OR-tools optimiser, each plan
     checked by the independent validator; wall time, time to a first feasible plan,
     KPIs side by side;
  2. incremental insertion of N new orders, one after the other, into the optimised
     plan at a moment in the day (started stops locked); latency p50/p95/max, each
     result validated and its locks checked (outside the timed region);
  3. a background re-optimisation of the resulting plan;
  4. a breakdown of the busiest vehicle at that moment, re-planned.
Ends with `RESULT {json}`. Targets: plan in <= 10 s, insertion p95 < 1 s, optimiser
below greedy on total km and empty km.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import timedelta
from typing import Any

from coldchain_benchkit.scenario import Mode, generate, new_order
from coldchain_dispatch.planning import solve
from coldchain_dispatch.planning.incremental import insert_order, reoptimise
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import Plan, Problem
from coldchain_dispatch.planning.replan import replan_vehicle_failure
from coldchain_dispatch.planning.travel import MatrixCache
from coldchain_dispatch.planning.validate import locked_moved, violations


def checked(problem: Problem, plan: Plan) -> int:
    found = violations(problem, plan)
    for v in found[:5]:
        print(f"    VIOLATION {v}")
    return len(found)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def plan_both(problem: Problem, seed: int, time_limit: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    plans: dict[str, Plan] = {}
    for method in ("greedy", "ortools"):
        started = time.perf_counter()
        plan = solve(problem, time_limit_s=time_limit, seed=seed, method=method)  # type: ignore[arg-type]
        wall = time.perf_counter() - started
        plans[method] = plan
        out[method] = {
            "wall_s": round(wall, 3),
            "first_feasible_s": round(plan.stats.first_solution_s or float("nan"), 3),
            "violations": checked(problem, plan),
            **kpis(problem, plan).as_dict(),
        }
    g, o = out["greedy"], out["ortools"]
    print(f"  {'':22}{'greedy':>14}{'optimiser':>14}")
    for key in (
        "wall_s",
        "first_feasible_s",
        "total_km",
        "empty_km",
        "empty_share",
        "pallet_fill",
        "duty_utilisation",
        "vehicles_used",
        "orders_served",
        "orders_dropped",
        "fuel_krw",
        "violations",
    ):
        print(f"  {key:22}{g[key]!s:>14}{o[key]!s:>14}")
    print(f"  dropped by reason      greedy {g['dropped_by_reason']}  optimiser {o['dropped_by_reason']}")
    out["_plan"] = plans["ortools"]
    return out


def insertions(
    problem: Problem, plan: Plan, mode: Mode, seed: int, count: int, hours: float
) -> dict[str, Any]:
    now = problem.epoch + timedelta(hours=hours)
    latencies: list[float] = []
    placed = bad = moved = 0
    cache = MatrixCache(problem.travel)  # a running planner keeps the places it has priced
    for i in range(count):
        new = new_order(problem, mode, seed=seed, index=i, not_before=now)
        started = time.perf_counter()
        result = insert_order(problem, plan, new, now=now, cache=cache)
        latencies.append(time.perf_counter() - started)
        placed += result.vehicle_id is not None
        bad += checked(result.problem, result.plan)
        moved += len(locked_moved(plan, result.plan, now))
        problem, plan = result.problem, result.plan
    out = {
        "now": now.isoformat(),
        "inserted": placed,
        "dropped": count - placed,
        "p50_s": round(statistics.median(latencies), 4),
        "p95_s": round(percentile(latencies, 0.95), 4),
        "max_s": round(max(latencies), 4),
        "violations": bad,
        "locked_moved": moved,
    }
    print(
        f"  insertion of {count} orders at {now:%H:%M} UTC: {placed} placed, p50 {out['p50_s']} s, "
        f"p95 {out['p95_s']} s, max {out['max_s']} s, violations {bad}, locked stops moved {moved}"
    )
    out["_state"] = (problem, plan, now)
    return out


def background(problem: Problem, plan: Plan, now: Any, seed: int, time_limit: float) -> dict[str, Any]:
    before = kpis(problem, plan)
    started = time.perf_counter()
    better = reoptimise(problem, plan, now=now, time_limit_s=time_limit, seed=seed)
    wall = time.perf_counter() - started
    after = kpis(problem, better)
    out = {
        "wall_s": round(wall, 3),
        "km_before": round(before.total_km, 1),
        "km_after": round(after.total_km, 1),
        "served_before": before.orders_served,
        "served_after": after.orders_served,
        "violations": checked(problem, better),
        "locked_moved": len(locked_moved(plan, better, now)),
    }
    print(
        f"  background re-optimisation ({time_limit:g} s): km {out['km_before']} -> {out['km_after']}, "
        f"served {out['served_before']} -> {out['served_after']}, violations {out['violations']}"
    )
    return out


def breakdown(problem: Problem, plan: Plan, now: Any) -> dict[str, Any]:
    busiest = max(plan.routes, key=lambda r: sum(1 for s in r.stops if not s.locked)).vehicle_id
    started = time.perf_counter()
    result = replan_vehicle_failure(problem, plan, busiest, now=now)
    wall = time.perf_counter() - started
    affected = len(result.transfers) + sum(
        1 for s in plan.route(busiest).stops if not s.locked and s.kind.value == "pickup"
    )
    out = {
        "vehicle": busiest,
        "wall_s": round(wall, 4),
        "transfers": len(result.transfers),
        "reassigned": len(result.reassigned),
        "affected_orders": affected,
        "violations": checked(result.problem, result.remaining),
        "locked_moved": len(
            locked_moved(
                Plan(tuple(r for r in plan.routes if r.vehicle_id != busiest), (), plan.stats),
                result.plan,
                now,
            )
        ),
    }
    print(
        f"  breakdown of {busiest}: re-planned in {out['wall_s']} s, {len(result.transfers)} loads on board, "
        f"{len(result.reassigned)} orders re-assigned, violations {out['violations']}"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0, help="optimiser wall-clock budget per plan")
    parser.add_argument("--inserts", type=int, default=100)
    parser.add_argument("--vehicles", type=int, default=60)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--reopt-limit", type=float, default=5.0)
    args = parser.parse_args()
    result: dict[str, Any] = {"seed": args.seed, "time_limit_s": args.time_limit, "modes": {}}
    for mode, hours in (("metro", 3.0), ("linehaul", 5.0)):
        problem = generate(mode, seed=args.seed, vehicles=args.vehicles, orders=args.orders)  # type: ignore[arg-type]
        print(f"{mode}: {len(problem.vehicles)} vehicles, {len(problem.orders)} orders")
        planned = plan_both(problem, args.seed, args.time_limit)
        plan = planned.pop("_plan")
        inserted = insertions(problem, plan, mode, args.seed, args.inserts, hours)  # type: ignore[arg-type]
        p2, plan2, now = inserted.pop("_state")
        bg = background(p2, plan2, now, args.seed, args.reopt_limit)
        broken = breakdown(p2, plan2, now)
        g, o = planned["greedy"], planned["ortools"]
        result["modes"][mode] = {
            "greedy": g,
            "optimiser": o,
            "optimiser_vs_greedy": {
                "total_km_change": round(o["total_km"] / g["total_km"] - 1, 4),
                "empty_km_change": round(o["empty_km"] / g["empty_km"] - 1, 4) if g["empty_km"] else None,
            },
            "insertion": inserted,
            "reoptimisation": bg,
            "breakdown": broken,
        }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
