"""Composition root of the orders service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from coldchain_orders import api, handlers, vehicle_api
from coldchain_orders.db import SCHEMA
from coldchain_orders.queries import OrderQueries
from coldchain_orders.relay import OutboxRelay
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()
    runtime = Runtime.build(settings, with_redis=False)
    handlers.register(runtime.broker, settings, runtime.engine)
    relay = OutboxRelay.to_kafka(
        runtime.engine, runtime.broker, batch_max=settings.relay_batch_max, idle_s=settings.relay_idle_s
    )
    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain orders",
        after_broker_start=[relay.start] if settings.relay_enabled else [],
        before_broker_stop=[relay.stop],
    )
    app.state.engine = runtime.engine
    app.state.queries = OrderQueries(runtime.engine)
    app.state.relay = relay
    app.include_router(api.router)
    app.include_router(vehicle_api.router)
    return app
