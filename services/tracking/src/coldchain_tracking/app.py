"""Composition root of the tracking service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from coldchain_servicekit.runtime import Runtime, Schema, runtime_app
from coldchain_tracking import api, handlers
from coldchain_tracking.db import SCHEMA
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: TrackingSettings | None = None) -> FastAPI:
    settings = settings or TrackingSettings()
    runtime = Runtime.build(settings, with_redis=True)
    assert runtime.redis is not None
    history = PositionHistory(runtime.engine)
    live = LiveStateStore(runtime.redis)
    handlers.register(runtime.broker, settings, history, live)
    app = runtime_app(runtime, SCHEMA_DEF, title="Coldchain tracking")
    app.state.history = history
    app.state.live = live
    app.include_router(api.router)
    return app
