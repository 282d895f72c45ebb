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
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager

sys.path.insert(0, str(Path(__file__).parent))

from orders_harness import Running, settings, skip_history

from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS, ORDERS_COMMANDS, TRACKING_EVENTS, dlq_topic
from coldchain_devtools.testing import Infra, internal_auth
from coldchain_orders.app import SCHEMA_DEF, create_app
from coldchain_servicekit.migrations import upgrade_async


@pytest.fixture(scope="session")
async def orders_group(infra: Infra, kafka_topics: None) -> AsyncIterator[str]:
    """The consumer group (service name) of the in-process orders services, starting at the end
    of its input topics, with dead-letter topics of its own (a poison record sent meanwhile by
    another test must reach a topic that exists instead of stalling its partition)."""
    group = f"orders-it-{uuid.uuid4().hex[:8]}"
    topics = [dlq_topic(t.name, group) for t in (ORDERS_COMMANDS, DISPATCH_ASSIGNMENTS, TRACKING_EVENTS)]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(name, 1, 1) for name in topics])
    for consumer_group, topic in (
        (group, ORDERS_COMMANDS),
        (f"{group}.assignments", DISPATCH_ASSIGNMENTS),
        (f"{group}.tracking", TRACKING_EVENTS),
    ):
        await skip_history(infra.kafka, consumer_group, topic.name, topic.partitions)
    yield group
    await admin.delete_topics(topics)
    await admin.close()


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
async def service(infra: Infra, database: str, orders_group: str) -> AsyncIterator[Running]:
    app = create_app(settings(infra, database, orders_group))
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://orders", headers=internal_auth()
        ) as http,
    ):
        yield Running(app, http)
