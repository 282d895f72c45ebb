"""`tracking.events.v1` projected into trips, stops, excursions and alerts, on real Kafka.

Tracking runs in-process with a consumer group of its own (and its own Redis database);
the test publishes contract events directly, as the analysis would, and reads the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import TemperatureZone
from coldchain_contracts.topics import TRACKING_EVENTS, dlq_topic
from coldchain_contracts.tracking_events import (
    AlertClosed,
    AlertKind,
    AlertOpened,
    ExcursionClosed,
    ExcursionOpened,
    GeofenceEntered,
    StopEnded,
    StopStarted,
    TrackingEvent,
    TripEnded,
    TripStarted,
)
from coldchain_devtools.testing import Infra, eventually, find_record
from coldchain_tracking.app import create_app
from coldchain_tracking.db import projected_events
from coldchain_tracking.periods import PeriodStore, Status
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
WINDOW = (T0 - timedelta(days=1), T0 + timedelta(days=1))


@pytest.fixture(scope="module")
async def tracking(
    infra: Infra, test_database: str, engine: AsyncEngine, kafka_topics: None
) -> AsyncIterator[str]:
    """A running tracking app; yields its consumer-group base name."""
    group = f"tracking-proj-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(dlq_topic(TRACKING_EVENTS.name, group), 1, 1)])
    settings = TrackingSettings(
        service_name=group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=infra.redis_url.rsplit("/", 1)[0] + "/14",
    )
    try:
        async with LifespanManager(create_app(settings), startup_timeout=60, shutdown_timeout=30):
            yield group
    finally:
        await admin.delete_topics([dlq_topic(TRACKING_EVENTS.name, group)])
        await admin.close()


async def publish(producer: AIOKafkaProducer, *events: TrackingEvent) -> None:
    for event in events:
        await producer.send_and_wait(
            TRACKING_EVENTS.name, event.model_dump_json().encode(), key=event.vehicle_id.encode()
        )


def vehicle() -> str:
    return f"p-{uuid.uuid4().hex[:8]}"


async def rows_when(
    store: PeriodStore, kind: str, vehicle_id: str, ready: Any, **filters: Any
) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        rows = await store.list(kind, vehicle_id, *WINDOW, limit=100, **filters)
        return rows if ready(rows) else None

    return await eventually(probe, timeout_s=30)


async def test_a_trip_is_open_after_its_start_and_closed_after_its_end(
    tracking: str, engine: AsyncEngine, kafka_producer: AIOKafkaProducer
) -> None:
    store, v, trip = PeriodStore(engine), vehicle(), uuid.uuid4()
    await publish(
        kafka_producer, TripStarted(vehicle_id=v, at=T0, trip_id=trip, latitude=37.1, longitude=127.1)
    )
    [opened] = await rows_when(store, "trips", v, lambda r: len(r) == 1)
    assert (opened["trip_id"], opened["started_at"], opened["open"]) == (str(trip), T0, True)
    assert await store.list("trips", v, *WINDOW, limit=10, status=Status.OPEN) == [opened]
    end = T0 + timedelta(hours=2)
    await publish(
        kafka_producer,
        TripEnded(
            vehicle_id=v,
            at=end,
            trip_id=trip,
            started_at=T0,
            distance_km=81.5,
            latitude=37.4,
            longitude=127.4,
        ),
    )
    [closed] = await rows_when(store, "trips", v, lambda r: r and not r[0]["open"])
    assert {
        k: closed[k] for k in ("started_at", "ended_at", "distance_km", "start_latitude", "end_latitude")
    } == {
        "started_at": T0,
        "ended_at": end,
        "distance_km": 81.5,
        "start_latitude": 37.1,
        "end_latitude": 37.4,
    }
    assert await store.list("trips", v, *WINDOW, limit=10, status=Status.OPEN) == []


async def test_stops_excursions_and_alerts_open_and_close_and_a_close_may_come_first(
    tracking: str, engine: AsyncEngine, kafka_producer: AIOKafkaProducer
) -> None:
    store, v = PeriodStore(engine), vehicle()
    stop, excursion, alert = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    t1, t2 = T0 + timedelta(minutes=10), T0 + timedelta(minutes=40)
    await publish(
        kafka_producer,
        StopStarted(vehicle_id=v, at=t1, stop_id=stop, latitude=37.2, longitude=127.2),
        StopEnded(vehicle_id=v, at=t2, stop_id=stop, started_at=t1, duration_s=1800),
        # Closed before it is opened: the row still ends up complete.
        ExcursionClosed(
            vehicle_id=v,
            at=t2,
            excursion_id=excursion,
            channel="A",
            started_at=t1,
            duration_s=1800,
            peak_celsius=-12.0,
        ),
        ExcursionOpened(
            vehicle_id=v,
            at=t1 + timedelta(minutes=5),
            excursion_id=excursion,
            channel="A",
            zone=TemperatureZone.FROZEN,
            band_low_celsius=-22,
            band_high_celsius=-18,
            started_at=t1,
            celsius=-15.5,
        ),
        AlertOpened(
            vehicle_id=v, at=t1, alert_id=alert, kind=AlertKind.PROBE_DISCONNECTED, detail="channel B"
        ),
        GeofenceEntered(vehicle_id=v, at=t1, geofence_id="g1"),  # consumed, not projected here
    )
    [s] = await rows_when(store, "stops", v, lambda r: r and not r[0]["open"])
    assert (s["started_at"], s["ended_at"], s["duration_s"], s["latitude"]) == (t1, t2, 1800, 37.2)
    [e] = await rows_when(store, "excursions", v, lambda r: r and r[0]["opened_at"] is not None)
    assert {
        k: e[k]
        for k in ("channel", "zone", "started_at", "opened_at", "ended_at", "opened_celsius", "peak_celsius")
    } == {
        "channel": "A",
        "zone": "frozen",
        "started_at": t1,
        "opened_at": t1 + timedelta(minutes=5),
        "ended_at": t2,
        "opened_celsius": -15.5,
        "peak_celsius": -12.0,
    }
    [a] = await rows_when(store, "alerts", v, lambda r: len(r) == 1)
    assert (a["kind"], a["detail"], a["open"]) == ("probe_disconnected", "channel B", True)
    await publish(
        kafka_producer,
        AlertClosed(vehicle_id=v, at=t2, alert_id=alert, kind=AlertKind.PROBE_DISCONNECTED, opened_at=t1),
    )
    [a] = await rows_when(store, "alerts", v, lambda r: r and not r[0]["open"])
    assert (a["started_at"], a["ended_at"], a["detail"]) == (t1, t2, "channel B")


async def test_a_redelivered_event_is_projected_once(
    tracking: str, engine: AsyncEngine, kafka_producer: AIOKafkaProducer
) -> None:
    store, v, stop = PeriodStore(engine), vehicle(), uuid.uuid4()
    started = StopStarted(vehicle_id=v, at=T0, stop_id=stop, latitude=37.0, longitude=127.0)
    ended = StopEnded(vehicle_id=v, at=T0 + timedelta(minutes=5), stop_id=stop, started_at=T0, duration_s=300)
    # The start again after the end, with the same event id: a redelivery, a no-op.
    await publish(kafka_producer, started, ended, started.model_copy(update={"latitude": 1.0}))
    marker = StopStarted(vehicle_id=v, at=T0 + timedelta(hours=1), stop_id=uuid.uuid4())
    await publish(kafka_producer, marker)
    rows = await rows_when(store, "stops", v, lambda r: len(r) == 2)
    assert (rows[0]["latitude"], rows[0]["open"]) == (37.0, False)
    async with engine.connect() as conn:
        seen = await conn.scalar(
            select(func.count()).where(projected_events.c.event_id.in_([started.event_id, ended.event_id]))
        )
    assert seen == 2


async def test_a_record_that_is_not_a_tracking_event_is_dead_lettered(
    tracking: str, infra: Infra, kafka_producer: AIOKafkaProducer
) -> None:
    key = vehicle().encode()
    await kafka_producer.send_and_wait(TRACKING_EVENTS.name, b'{"event_type": "TripStarted"}', key=key)
    record = await find_record(
        infra.kafka, dlq_topic(TRACKING_EVENTS.name, tracking), lambda r: r.key == key, 30
    )
    assert dict(record.headers)["x-dlq-reason"] == b"contract_violation"
