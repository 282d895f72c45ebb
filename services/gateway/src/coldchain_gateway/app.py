"""Composition root of the gateway."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from coldchain_gateway import orders, sites, telemetry, vehicles
from coldchain_gateway.db import SCHEMA
from coldchain_gateway.settings import GatewaySettings
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    # No Redis yet: readiness reports only what the gateway uses (rate limits will add it).
    runtime = Runtime.build(settings, with_redis=False)
    tracking = httpx.AsyncClient(base_url=settings.tracking_url, timeout=settings.upstream_timeout_s)
    orders_api = httpx.AsyncClient(base_url=settings.orders_url, timeout=settings.upstream_timeout_s)
    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain API",
        on_stop=[tracking.aclose, orders_api.aclose],
        description="Public REST API of the Coldchain fleet platform.",
        version="0.1.0",
    )
    app.state.tracking = tracking
    app.state.orders = orders_api
    app.include_router(telemetry.router)
    app.include_router(vehicles.router)
    app.include_router(orders.router)
    app.include_router(sites.router)
    return app
