"""Composition root of the dispatch service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from coldchain_dispatch.db import SCHEMA
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    runtime = Runtime.build(settings or DispatchSettings(), with_redis=False)
    return runtime_app(runtime, SCHEMA_DEF, title="Coldchain dispatch")
