"""Makes `order_builders` and `orders_harness` importable by the orders tests (pytest runs
with --import-mode=importlib), and provides the integration fixtures."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

sys.path.insert(0, str(Path(__file__).parent))

from orders_harness import Running, settings

from coldchain_devtools.testing import Infra
from coldchain_orders.app import SCHEMA_DEF, create_app
from coldchain_servicekit.migrations import upgrade_async


@pytest.fixture
async def database(infra: Infra) -> AsyncIterator[str]:
    """A database of this test's own, migrated."""
    admin = infra.database_url.replace("+asyncpg", "")
    name = f"orders_it_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = infra.database_url.rsplit("/", 1)[0] + "/" + name
    await upgrade_async(url, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
    yield url
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
async def service(infra: Infra, database: str, kafka_topics: None) -> AsyncIterator[Running]:
    app = create_app(settings(infra, database))
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://orders") as http,
    ):
        yield Running(app, http)
