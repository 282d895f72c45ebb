"""Composition root of the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from coldchain_gateway import telemetry, vehicles
from coldchain_gateway.db import SCHEMA
from coldchain_gateway.settings import GatewaySettings
from coldchain_servicekit.db import make_engine, postgres_check
from coldchain_servicekit.http import service_app
from coldchain_servicekit.kafka import kafka_check, make_broker
from coldchain_servicekit.logging import configure_logging, get_logger
from coldchain_servicekit.migrations import upgrade_async
from coldchain_servicekit.redis import make_redis, redis_check

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    log = get_logger(__name__)
    db_url = settings.database_url.get_secret_value()
    engine = make_engine(db_url)
    redis = make_redis(settings.redis_url)
    broker = make_broker(settings)
    tracking = httpx.AsyncClient(base_url=settings.tracking_url, timeout=settings.upstream_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await upgrade_async(db_url, SCHEMA, MIGRATIONS)
        await broker.start()
        log.info("started", port=settings.http_port)
        try:
            yield
        finally:
            await broker.stop()
            await tracking.aclose()
            await redis.aclose()
            await engine.dispose()

    app = service_app(
        title="Coldchain API",
        lifespan=lifespan,
        checks={
            "kafka": kafka_check(broker),
            "postgres": postgres_check(engine),
            "redis": redis_check(redis),
        },
        readiness_timeout_s=settings.readiness_timeout_s,
        description="Public REST API of the Coldchain fleet platform.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.broker = broker
    app.state.tracking = tracking
    app.include_router(telemetry.router)
    app.include_router(vehicles.router)
    return app
