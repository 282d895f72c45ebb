"""Composition root of the dispatch service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from coldchain_dispatch import handlers
from coldchain_dispatch.db import SCHEMA
from coldchain_dispatch.projections import Projections
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    settings = settings or DispatchSettings()
    runtime = Runtime.build(settings, with_redis=False)
    handlers.register(runtime.broker, settings, Projections(runtime.engine))
    return runtime_app(runtime, SCHEMA_DEF, title="Coldchain dispatch")
