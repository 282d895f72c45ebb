"""Delivery guarantees on real Kafka: offsets are committed only after the effect is durable.

Tracking runs in-process in a consumer group of its own, with its own Redis database
(the session's tracking processes consume the same topic), against a private
PostgreSQL that the test stops: the fix consumed meanwhile must not be lost nor half-applied
(no live state without history); once PostgreSQL is back, redelivery applies it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy import select

from coldchain_contracts import FixAccepted
from coldchain_contracts.topics import (
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
    TELEMETRY_GPS,
    TRACKING_EVENTS,
    dlq_topic,
)
from coldchain_devtools.testing import Infra, PrivatePostgres, eventually, find_record
from coldchain_servicekit.db import make_engine
from coldchain_tracking.app import create_app
from coldchain_tracking.db import positions
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration


def transient_failures() -> float:
    return (
        REGISTRY.get_sample_value("coldchain_transient_failures_total", {"topic": TELEMETRY_GPS.name}) or 0.0
    )


@pytest.fixture
async def consumer_group(infra: Infra) -> AsyncIterator[str]:
    group = f"tracking-it-{uuid.uuid4().hex[:8]}"
    # Every topic tracking consumes: a poison record another test left on a shared topic is
    # dead-lettered, and a missing dead-letter topic stalls that consumer (and its shutdown).
    consumed = (TELEMETRY_GPS, FLEET_SITES, FLEET_VEHICLES, ORDERS_EVENTS, TRACKING_EVENTS)
    dlqs = [dlq_topic(t.name, group) for t in consumed]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(name, 1, 1) for name in dlqs])
    yield group
    await admin.delete_topics(dlqs)
    await admin.close()


async def test_a_batch_failing_on_the_database_is_redelivered_not_lost(
    infra: Infra,
    private_postgres: PrivatePostgres,
    consumer_group: str,
    kafka_producer: AIOKafkaProducer,
) -> None:
    private_redis = infra.redis_url.rsplit("/", 1)[0] + "/15"
    settings = TrackingSettings(
        service_name=consumer_group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=private_postgres.url,
        redis_url=private_redis,
        retry_base_delay_s=0.2,
        retry_max_delay_s=1.0,
        dlq_transient_attempts=1000,
    )
    app = create_app(settings)
    redis = Redis.from_url(private_redis)
    live = LiveStateStore(redis)
    vehicle = f"dur-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    fix = FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="test",
        device_time=now,
        received_at=now,
        latitude=37.5,
        longitude=127.0,
    )
    try:
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            private_postgres.stop()
            failures_before = transient_failures()
            await kafka_producer.send_and_wait(
                TELEMETRY_GPS.name, fix.model_dump_json().encode(), key=vehicle.encode()
            )

            async def failed_at_least_twice() -> bool | None:
                return True if transient_failures() >= failures_before + 2 else None

            await eventually(failed_at_least_twice, timeout_s=60)
            assert await live.get(vehicle) is None, "no live state may exist without its history row"

            private_postgres.start()

            async def applied() -> object | None:
                return await live.get(vehicle)

            state = await eventually(applied, timeout_s=60)
            assert state.device_time == now
        engine = make_engine(private_postgres.url)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(select(positions.c.vehicle_id).where(positions.c.vehicle_id == vehicle))
            ).all()
        await engine.dispose()
        assert len(rows) == 1
    finally:
        await redis.aclose()


async def test_a_record_the_database_refuses_is_dead_lettered_alone_and_the_batch_around_it_lands(
    infra: Infra, test_database: str, consumer_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    """The attack that stalled tracking for five minutes: one fix PostgreSQL refuses (U+0000
    in jsonb) among good ones. It must go to the dead-letter topic at once, with no retry,
    while every good fix of the same batch, before and after it, is stored."""
    settings = TrackingSettings(
        service_name=consumer_group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=infra.redis_url.rsplit("/", 1)[0] + "/14",
        retry_base_delay_s=5.0,  # a retry would show as a long wait
    )
    app = create_app(settings)
    now = datetime.now(UTC)
    vehicles = [f"iso-{uuid.uuid4().hex[:8]}" for _ in range(4)]

    def fix(vehicle: str, seconds: int, **attributes: str) -> FixAccepted:
        at = now + timedelta(seconds=seconds)
        return FixAccepted(
            vehicle_id=vehicle,
            device_id=vehicle,
            source="test",
            device_time=at,
            received_at=at,
            latitude=37.5,
            longitude=127.0,
            attributes=attributes,
        )

    poison = fix(vehicles[1], 1, note="abc\x00def")
    batch = [fix(v, s) for s in range(3) for v in vehicles]
    batch.insert(5, poison)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        failures_before = transient_failures()
        for message in batch:
            await kafka_producer.send(
                TELEMETRY_GPS.name, message.model_dump_json().encode(), key=message.vehicle_id.encode()
            )
        await kafka_producer.flush()
        dead = await find_record(
            infra.kafka,
            dlq_topic(TELEMETRY_GPS.name, consumer_group),
            lambda r: r.key == poison.vehicle_id.encode(),
            timeout_s=60,
        )
        engine = make_engine(test_database)
        try:

            async def all_good_stored() -> int | None:
                async with engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(positions.c.vehicle_id).where(positions.c.vehicle_id.in_(vehicles))
                        )
                    ).all()
                return len(rows) if len(rows) == len(batch) - 1 else None

            await eventually(all_good_stored, timeout_s=30)
        finally:
            await engine.dispose()
        assert transient_failures() == failures_before, "a refused record is never retried"
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["x-dlq-reason"] == "handler_failed"
    assert "0x00" in headers["x-dlq-error"] or "\\u0000" in headers["x-dlq-error"]
