"""Composition root of the dispatch service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from coldchain_dispatch.db import SCHEMA
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.db import make_engine, postgres_check
from coldchain_servicekit.http import service_app
from coldchain_servicekit.kafka import kafka_check, make_broker
from coldchain_servicekit.logging import configure_logging, get_logger
from coldchain_servicekit.migrations import upgrade_async

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    settings = settings or DispatchSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    log = get_logger(__name__)
    db_url = settings.database_url.get_secret_value()
    engine = make_engine(db_url)
    broker = make_broker(settings)

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
            await engine.dispose()

    app = service_app(
        title="Coldchain dispatch",
        lifespan=lifespan,
        checks={"kafka": kafka_check(broker), "postgres": postgres_check(engine)},
        readiness_timeout_s=settings.readiness_timeout_s,
    )
    app.state.settings = settings
    return app
