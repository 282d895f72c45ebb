"""`python -m coldchain_dispatch replay <plan_id>`: re-solve a recorded plan from its inputs.

Only requested plans (`kind=request`) are re-solved: their record holds the problem
exactly as the solver saw it and the engine, time limit and seed. The greedy engine is
deterministic, so its routes must match stop for stop; OR-tools is bounded by wall time,
so a replay may search further or less far: the KPI difference is what is reported.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from coldchain_dispatch import codec
from coldchain_dispatch.plan_store import PlanStore
from coldchain_dispatch.planner import method_of, solve_checked
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import Plan
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.transport_security import postgres_ssl


def sequences(routes: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    return {r["vehicle_id"]: [(s["order_id"], s["kind"]) for s in r["stops"]] for r in routes}


def compare(
    record: Mapping[str, Any], replayed: Plan, replayed_kpis: dict[str, Any]
) -> tuple[bool, list[str]]:
    """Whether the replay matches the record, and lines saying how."""
    lines = []
    same_routes = sequences(record["routes"]) == sequences(codec.encode_routes(replayed))
    same_dropped = sorted(d["order_id"] for d in record["dropped"]) == sorted(
        d.order_id for d in replayed.dropped
    )
    lines.append(f"routes identical: {same_routes}; dropped identical: {same_dropped}")
    for key, before in record["kpis"].items():
        after = replayed_kpis.get(key)
        if isinstance(before, int | float) and isinstance(after, int | float) and before != after:
            lines.append(f"  {key}: recorded {before} replayed {after} (diff {after - before:+.4g})")
    return same_routes and same_dropped, lines


async def replay(plan_id: uuid.UUID, settings: DispatchSettings) -> int:
    engine = make_engine(settings.database_url.get_secret_value(), tls=postgres_ssl(settings))
    try:
        record = await PlanStore(engine).get(plan_id)
    finally:
        await engine.dispose()
    if record is None:
        print(f"no plan {plan_id}")
        return 2
    if record["kind"] != "request" or record["status"] != "done":
        print(
            f"plan {plan_id} is a {record['status']} {record['kind']} plan; only done requested plans replay"
        )
        return 2
    problem = codec.decode_problem(record["inputs"]["problem"])
    s = record["settings"]
    plan = await asyncio.to_thread(
        solve_checked, problem, method_of(record["engine"]), s["time_limit_s"], s["seed"]
    )
    matches, lines = compare(record, plan, kpis(problem, plan).as_dict())
    print(f"plan {plan_id} engine={record['engine']} seed={s['seed']} time_limit_s={s['time_limit_s']}")
    print("\n".join(lines))
    print("MATCH" if matches else "DIFFERENT")
    return 0 if matches or record["engine"] != "greedy" else 1


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m coldchain_dispatch replay <plan_id>")
    raise SystemExit(asyncio.run(replay(uuid.UUID(argv[0]), DispatchSettings())))


if __name__ == "__main__":
    main(sys.argv[1:])
