"""Plan records and the assignments they hold: what every planning run ends with.

A run that fails is recorded with its error; a run that succeeds is recorded with its
inputs, KPIs and the exact `RouteAssigned` messages (vehicle revisions advanced), and only
then published. A redelivered command finds its record and republishes those messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Histogram

from coldchain_contracts import RouteAssigned
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS
from coldchain_dispatch import codec
from coldchain_dispatch.assembly import Meta
from coldchain_dispatch.assignments import route_messages
from coldchain_dispatch.plan_store import PlanStore
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import Plan, Problem
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
PLANS = Counter("dispatch_plans_total", "Planning runs recorded, by kind and status", ["kind", "status"])
SOLVE_SECONDS = Histogram(
    "dispatch_plan_seconds",
    "Wall time of a planning run (assembly and solve), by kind",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0),
)
DROPPED = Counter("dispatch_orders_dropped_total", "Orders a recorded plan left unassigned", ["kind"])
Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


def plan_of(record: Mapping[str, Any]) -> Plan:
    """The plan a stored record describes."""
    return codec.decode_plan(record["routes"], record["dropped"], record["settings"]["stats"])


class PlanRecords:
    def __init__(self, store: PlanStore, publish: Publish, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._publish = publish
        self._clock = clock

    async def republished(self, plan_id: uuid.UUID, trace: str | None) -> bool:
        existing = await self._store.get(plan_id)
        if existing is None:
            return False
        messages = [RouteAssigned.model_validate(a) for a in existing["assignments"] or []]
        await self._send(messages, trace)
        log.info("plan already made; assignments republished", plan_id=str(plan_id), routes=len(messages))
        return True

    async def failed(
        self, base: dict[str, Any], settings: dict[str, Any], recorded: dict[str, Any], error: str
    ) -> None:
        log.warning("plan failed", plan_id=str(base["plan_id"]), error=error[:300])
        PLANS.labels(kind=str(base.get("kind")), status="failed").inc()
        await self._store.save(
            {
                **base,
                "inputs": recorded or None,
                "status": "failed",
                "completed_at": self._clock(),
                "settings": settings,
                "error": error[:2000],
            }
        )

    async def store_and_publish(
        self,
        base: dict[str, Any],
        settings: dict[str, Any],
        problem: Problem,
        plan: Plan,
        meta: Meta,
        recorded: dict[str, Any],
        *,
        vehicle_ids: list[str],
        trace: str | None,
        published: Plan | None = None,
    ) -> None:
        revisions = await self._store.revisions(vehicle_ids)
        messages = route_messages(
            published or plan,
            plan_id=base["plan_id"],
            vehicle_ids=vehicle_ids,
            revisions=revisions,
            meta=meta,
            causation_id=base["command_id"],
        )
        record = {
            **base,
            "status": "done",
            "completed_at": self._clock(),
            "settings": {**settings, "stats": codec.encode_stats(plan.stats)},
            "inputs": {**recorded, "problem": codec.encode_problem(problem), "meta": meta.as_json()},
            "kpis": kpis(problem, plan).as_dict(),
            "dropped": codec.encode_dropped(plan),
            "routes": codec.encode_routes(plan),
            "assignments": [m.model_dump(mode="json") for m in messages],
        }
        if await self._store.save(record):
            kind = str(base.get("kind"))
            PLANS.labels(kind=kind, status="done").inc()
            DROPPED.labels(kind=kind).inc(len(plan.dropped))
            if isinstance(base.get("duration_s"), int | float):
                SOLVE_SECONDS.labels(kind=kind).observe(base["duration_s"])
            log.info(
                "plan stored",
                plan_id=str(base["plan_id"]),
                kind=base["kind"],
                routes=len(messages),
                dropped=len(plan.dropped),
            )
        await self._send(messages, trace)

    async def _send(self, messages: Sequence[RouteAssigned], trace: str | None) -> None:
        await self._publish(
            [Outgoing.event(DISPATCH_ASSIGNMENTS.name, m.vehicle_id, m, trace) for m in messages]
        )
