"""The UVIS poller against the fake UVIS server, real Kafka and real PostgreSQL.

Proves: fixes land on the raw topic keyed by terminal, Korea time converted to UTC; a
second poll re-publishes nothing it already published, nor does a restarted poller
(cursors in `ingest.uvis_cursors`); a non-JSON answer, a timeout and an expired key
within a poll are retried; only the replica holding the advisory lock polls.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from faststream.kafka import KafkaBroker
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

import coldchain_ingest
from coldchain_contracts import ChannelState, RawFixReceived
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_devtools.testing import Infra, eventually, records_with_key
from coldchain_ingest.app import create_app
from coldchain_ingest.protocols.uvis.client import UvisClient
from coldchain_ingest.protocols.uvis.cursors import UvisCursors
from coldchain_ingest.protocols.uvis.leadership import AdvisoryLeadership
from coldchain_ingest.protocols.uvis.poller import UvisPoller
from coldchain_ingest.settings import IngestSettings
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.kafka import make_broker, publish_all
from coldchain_servicekit.migrations import upgrade_async

pytestmark = pytest.mark.integration
MIGRATIONS = Path(coldchain_ingest.__file__).parent / "migrations"


@pytest.fixture
async def engine(test_database: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(test_database, "ingest", MIGRATIONS)
    engine = make_engine(test_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def broker(infra: Infra, kafka_topics: None) -> AsyncIterator[KafkaBroker]:
    broker = make_broker(IngestSettings(kafka_bootstrap_servers=infra.kafka))
    await broker.start()
    yield broker
    await broker.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=0.5) as client:
        yield client


def poller(
    http: httpx.AsyncClient,
    url: str,
    serial: str,
    engine: AsyncEngine,
    broker: KafkaBroker,
    lock: str | None = None,
) -> UvisPoller:
    client = UvisClient(http, url, SecretStr(serial), attempts=3, retry_delay_s=0.01)
    return UvisPoller(
        client,
        UvisCursors(engine),
        AdvisoryLeadership(engine, lock or f"uvis-test-{uuid.uuid4().hex[:6]}"),
        partial(publish_all, broker),
        interval_s=0.2,
    )


def terminal() -> str:
    return f"T{uuid.uuid4().hex[:9]}"


async def fixes_of(kafka: str, device: str, count: int) -> list[RawFixReceived]:
    records = await records_with_key(
        kafka, TELEMETRY_RAW.name, device.encode(), lambda found: len(found) >= count
    )
    return [RawFixReceived.model_validate_json(r.value) for r in records]


async def test_polls_publish_each_record_once_across_polls_and_restarts(
    fake_uvis: Any,
    uvis_rows: Any,
    engine: AsyncEngine,
    broker: KafkaBroker,
    http: httpx.AsyncClient,
    infra: Infra,
) -> None:
    fake, url = fake_uvis
    t1, t2 = terminal(), terminal()
    fake.gps = [uvis_rows.gps(t1, "20261126", "083015")]
    fake.temperatures = [
        uvis_rows.temp(t1, "20261126", "083015"),
        uvis_rows.temp(t2, "20261126", "083000", a=("0", "OPEN")),
    ]
    fake.faults = ["not_json"]  # the first call of the poll (the access key) answers HTML
    running = poller(http, url, uvis_rows.serial, engine, broker)
    first = await running.poll_once()
    assert (first.published, first.duplicates, first.failed_lists) == (2, 0, ())

    fake.gps = [uvis_rows.gps(t1, "20261126", "083515", speed="255")]
    fake.expire_keys()  # the key expires between polls
    fake.faults = ["timeout"]  # and the first call of this poll times out
    second = await running.poll_once()
    assert (second.published, second.duplicates) == (1, 2), "only t1's new GPS record is new"

    restarted = await poller(http, url, uvis_rows.serial, engine, broker).poll_once()
    assert (restarted.published, restarted.duplicates) == (0, 3)

    merged, later = await fixes_of(infra.kafka, t1, 2)
    assert (merged.source, merged.device_id) == ("uvis", t1)
    assert merged.fix.device_time == datetime(2026, 11, 25, 23, 30, 15, tzinfo=UTC), (
        "KST 08:30:15 is 23:30:15 UTC"
    )
    assert (merged.fix.latitude, merged.fix.longitude, merged.fix.speed) == (37.4979, 127.0276, 42.0)
    assert merged.fix.temperatures[0].celsius == -18.5
    assert later.fix.device_time == datetime(2026, 11, 25, 23, 35, 15, tzinfo=UTC)
    assert later.fix.speed is None, "255 means no valid speed"
    [probe_off] = await fixes_of(infra.kafka, t2, 1)
    assert probe_off.fix.temperatures[0].state == ChannelState.PROBE_DISCONNECTED
    assert ("GetAccessKeyWithValues", "not_json") in fake.calls
    assert ("getDeviceAPI/01", "key_refused") in fake.calls or (
        "GetAccessKeyWithValues",
        "timeout",
    ) in fake.calls


async def test_only_the_lock_holder_polls(engine: AsyncEngine) -> None:
    name = f"uvis-test-{uuid.uuid4().hex[:6]}"
    first, second = AdvisoryLeadership(engine, name), AdvisoryLeadership(engine, name)
    try:
        assert await first.is_leader()
        assert not await second.is_leader()
        assert await first.is_leader(), "leadership is kept while the connection lives"
        await first.release()
        assert await second.is_leader()
    finally:
        await first.release()
        await second.release()


async def test_two_running_pollers_publish_each_record_once(
    fake_uvis: Any,
    uvis_rows: Any,
    engine: AsyncEngine,
    broker: KafkaBroker,
    http: httpx.AsyncClient,
    infra: Infra,
) -> None:
    fake, url = fake_uvis
    t1 = terminal()
    fake.gps = [uvis_rows.gps(t1, "20261126", "090000")]
    lock = f"uvis-test-{uuid.uuid4().hex[:6]}"
    replicas = [poller(http, url, uvis_rows.serial, engine, broker, lock) for _ in range(2)]
    for replica in replicas:
        await replica.start()
    try:

        async def polled_a_few_times() -> bool | None:
            return True if sum(1 for c in fake.calls if c == ("getDeviceAPI/01", "ok")) >= 4 else None

        await eventually(polled_a_few_times, timeout_s=15)
        fake.gps = [uvis_rows.gps(t1, "20261126", "090500")]
        await asyncio.sleep(1.0)
    finally:
        for replica in replicas:
            await replica.stop()
    records = await fixes_of(infra.kafka, t1, 2)
    assert [r.fix.device_time.minute for r in records] == [0, 5]
    with pytest.raises(AssertionError, match="2 found"):  # and no third record follows
        await records_with_key(
            infra.kafka, TELEMETRY_RAW.name, t1.encode(), lambda f: len(f) > 2, timeout_s=3
        )


async def test_the_ingest_app_polls_uvis_when_configured(
    fake_uvis: Any, uvis_rows: Any, test_database: str, kafka_topics: None, infra: Infra
) -> None:
    fake, url = fake_uvis
    t1 = terminal()
    fake.gps = [uvis_rows.gps(t1, "20261126", "101010")]
    settings = IngestSettings(
        service_name=f"ingest-it-{uuid.uuid4().hex[:8]}",
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        osmand_enabled=False,
        teltonika_port=0,  # never the default 5027 a `make run` may hold
        uvis_base_url=url,
        uvis_serial_key=SecretStr(uvis_rows.serial),
        uvis_poll_interval_s=0.5,
    )
    assert settings.uvis_enabled
    assert uvis_rows.serial not in repr(settings), "the serial key never shows in settings dumps"
    async with LifespanManager(create_app(settings), startup_timeout=60, shutdown_timeout=30):
        [fix] = await fixes_of(infra.kafka, t1, 1)
    assert fix.fix.device_time == datetime(2026, 11, 26, 1, 10, 10, tzinfo=UTC)
