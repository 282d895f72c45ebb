"""Composition root of the orders service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from coldchain_orders.db import SCHEMA
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    runtime = Runtime.build(settings or OrdersSettings(), with_redis=False)
    return runtime_app(runtime, SCHEMA_DEF, title="Coldchain orders")
