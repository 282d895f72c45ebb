"""Composition root of the tracking service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from coldchain_servicekit.db import make_engine, postgres_check
from coldchain_servicekit.http import service_app
from coldchain_servicekit.kafka import kafka_check, make_broker
from coldchain_servicekit.logging import configure_logging, get_logger
from coldchain_servicekit.migrations import upgrade_async
from coldchain_servicekit.redis import make_redis, redis_check
from coldchain_tracking import api, handlers
from coldchain_tracking.db import SCHEMA
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrackingSettings | None = None) -> FastAPI:
    settings = settings or TrackingSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    log = get_logger(__name__)
    db_url = settings.database_url.get_secret_value()
    engine = make_engine(db_url)
    redis = make_redis(settings.redis_url)
    broker = make_broker(settings)
    history = PositionHistory(engine)
    live = LiveStateStore(redis)
    handlers.register(broker, settings, history, live)

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
            await redis.aclose()
            await engine.dispose()

    app = service_app(
        title="Coldchain tracking",
        lifespan=lifespan,
        checks={
            "kafka": kafka_check(broker),
            "postgres": postgres_check(engine),
            "redis": redis_check(redis),
        },
        readiness_timeout_s=settings.readiness_timeout_s,
    )
    app.state.settings = settings
    app.state.history = history
    app.state.live = live
    app.state.broker = broker
    app.include_router(api.router)
    return app
