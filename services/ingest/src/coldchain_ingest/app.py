"""Composition root of the ingest service."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from coldchain_ingest import api, device_handlers, handlers
from coldchain_ingest.db import SCHEMA
from coldchain_ingest.domain import QualityRules
from coldchain_ingest.protocols.osmand.devices import RegistryDeviceOptions
from coldchain_ingest.protocols.osmand.server import EmbeddedServer
from coldchain_ingest.protocols.osmand.wiring import osmand_server
from coldchain_ingest.protocols.teltonika.config import teltonika_config
from coldchain_ingest.protocols.teltonika.server import TeltonikaServer
from coldchain_ingest.protocols.uvis.wiring import UvisService
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
        max_past=timedelta(seconds=settings.max_past_s),
        max_accuracy_m=settings.max_accuracy_m,
        max_hdop=settings.max_hdop,
        max_implied_speed_kmh=settings.max_implied_speed_kmh,
        implied_speed_min_distance_m=settings.implied_speed_min_distance_m,
        bind_unknown_to_self=settings.unbound_device_policy == "self",
    )
    handlers.register(runtime.broker, settings, rules, bindings)
    registry = DeviceRegistry(runtime.engine, bindings)
    device_handlers.register(runtime.broker, settings, registry)
    # Bindings and registry load before the broker starts, so no fix is judged against empty maps.
    refresh = Periodic("refresh-device-bindings", bindings.load, settings.bindings_refresh_s)
    refresh_registry = Periodic("refresh-device-registry", registry.load, settings.bindings_refresh_s)
    # Device protocols publish raw fixes themselves, so they run only while the broker does.
    publish = partial(publish_all, runtime.broker)
    sources: list[EmbeddedServer | UvisService | TeltonikaServer] = []
    if settings.osmand_enabled:
        devices = RegistryDeviceOptions(registry, accept_unknown=settings.accept_unknown_devices)
        sources.append(osmand_server(settings, publish, devices))
    if settings.uvis_enabled:
        sources.append(UvisService(settings, runtime.engine, publish))
    teltonika = TeltonikaServer(teltonika_config(settings), registry, publish)
    if settings.teltonika_enabled:
        sources.append(teltonika)
    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain ingest",
        on_start=[refresh.start, refresh_registry.start],
        on_stop=[refresh.stop, refresh_registry.stop],
        after_broker_start=[s.start for s in sources],
        before_broker_stop=[s.stop for s in reversed(sources)],
    )
    app.state.device_registry = registry
    app.state.teltonika = teltonika
    app.include_router(api.router)
    return app
