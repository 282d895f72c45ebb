"""Composition root of the dispatch service."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from coldchain_contracts import utcnow
from coldchain_dispatch import api, handlers
from coldchain_dispatch.clock import FleetClock
from coldchain_dispatch.db import SCHEMA
from coldchain_dispatch.horizon_lock import PgHorizonLock
from coldchain_dispatch.order_book import OrderBook
from coldchain_dispatch.plan_store import PlanStore
from coldchain_dispatch.planner import Planner
from coldchain_dispatch.projections import Projections
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    settings = settings or DispatchSettings()
    runtime = Runtime.build(settings, with_redis=False)
    store = PlanStore(runtime.engine)
    order_book = OrderBook(runtime.engine)

    async def publish(messages: Sequence[Outgoing]) -> None:
        await publish_all(runtime.broker, messages)

    fleet_clock = FleetClock() if settings.clock == "fleet" else None
    planner = Planner(
        store,
        order_book,
        publish,
        settings,
        clock=fleet_clock or utcnow,
        horizon_lock=PgHorizonLock(runtime.engine),
    )
    handlers.register(
        runtime.broker, settings, Projections(runtime.engine), order_book, planner, fleet_clock=fleet_clock
    )

    async def close_solver() -> None:
        planner.close()

    app = runtime_app(runtime, SCHEMA_DEF, title="Coldchain dispatch", on_stop=[close_solver])
    app.state.plan_store = store
    app.include_router(api.router)
    return app
