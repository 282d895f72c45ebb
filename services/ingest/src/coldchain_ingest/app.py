"""Composition root of the ingest service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from coldchain_ingest import api, device_handlers, handlers
from coldchain_ingest.db import SCHEMA
from coldchain_ingest.domain import QualityRules
from coldchain_ingest.protocols.teltonika.server import TeltonikaServer, teltonika_config
from coldchain_ingest.registry import DeviceRegistry
from coldchain_ingest.repository import DeviceBindings
from coldchain_ingest.settings import IngestSettings
from coldchain_servicekit.kafka import publish_all
from coldchain_servicekit.periodic import Periodic
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    runtime = Runtime.build(settings, with_redis=False)
    bindings = DeviceBindings(runtime.engine)
    rules = QualityRules(
        max_future=timedelta(seconds=settings.max_future_s),
        bind_unknown_to_self=settings.unbound_device_policy == "self",
    )
    handlers.register(runtime.broker, settings, rules, bindings)
    # Bindings load before the broker starts, so no fix is normalised against an empty map.
    refresh = Periodic("refresh-device-bindings", bindings.load, settings.bindings_refresh_s)
    registry = DeviceRegistry(runtime.engine, bindings)
    device_handlers.register(runtime.broker, settings, registry)
    refresh_registry = Periodic("refresh-device-registry", registry.load, settings.bindings_refresh_s)
    on_start, on_stop = [refresh.start, refresh_registry.start], [refresh.stop, refresh_registry.stop]
    teltonika = TeltonikaServer(
        teltonika_config(settings), registry, lambda messages: publish_all(runtime.broker, messages)
    )

    async def start_teltonika() -> None:
        # Hooks run before the broker starts; connecting (idempotent) first means the
        # first device's publish does not race the broker's start.
        await runtime.broker.connect()
        await teltonika.start()

    if settings.teltonika_enabled:
        on_start.append(start_teltonika)
        on_stop.insert(0, teltonika.stop)
    app = runtime_app(runtime, SCHEMA_DEF, title="Coldchain ingest", on_start=on_start, on_stop=on_stop)
    app.state.device_registry = registry
    app.state.teltonika = teltonika
    app.include_router(api.router)
    return app
