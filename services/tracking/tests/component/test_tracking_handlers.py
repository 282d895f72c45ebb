"""Tracking's Kafka handler on FastStream's in-memory broker, with in-memory stores.

Routing and what gets published; the real Redis compare-and-set and PostgreSQL upsert
are covered by the integration tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from coldchain_contracts import FixAccepted, VehicleStateChanged
from coldchain_contracts.topics import TELEMETRY_GPS, VEHICLE_STATE, dlq_topic
from coldchain_servicekit.tracecontext import trace_id_of
from coldchain_tracking import handlers
from coldchain_tracking.live_state import Advance
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.component
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class InMemoryHistory:
    def __init__(self) -> None:
        self.rows: set[tuple[str, datetime]] = set()

    async def append(self, fixes: Sequence[FixAccepted]) -> int:
        new = {(f.vehicle_id, f.device_time) for f in fixes} - self.rows
        self.rows |= new
        return len(new)


class InMemoryLive:
    def __init__(self) -> None:
        self.states: dict[str, VehicleStateChanged] = {}

    async def advance(self, states: Sequence[VehicleStateChanged]) -> Advance:
        advanced, current = [], []
        for state in states:
            stored = self.states.get(state.vehicle_id)
            if stored is None or state.device_time > stored.device_time:
                self.states[state.vehicle_id] = state
                advanced.append(state)
            elif state.device_time == stored.device_time:
                current.append(stored)
        return Advance(advanced, current)


Published = list[tuple[bytes, bytes, dict[str, str]]]


@pytest.fixture
async def tracking() -> AsyncIterator[tuple[KafkaBroker, Published, Published]]:
    broker = KafkaBroker()
    handlers.register(broker, TrackingSettings(), InMemoryHistory(), InMemoryLive())  # type: ignore[arg-type]
    states: Published = []
    dead: Published = []

    @broker.subscriber(VEHICLE_STATE.name)
    async def on_state(msg: KafkaMessage) -> None:
        states.append((msg.raw_message.key, msg.raw_message.value, dict(msg.headers)))

    @broker.subscriber(dlq_topic(TELEMETRY_GPS.name, "tracking"))
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append((msg.raw_message.key, msg.raw_message.value, dict(msg.headers)))

    async with TestKafkaBroker(broker) as test_broker:
        yield test_broker, states, dead


def fix(vehicle: str, at: datetime, lat: float = 37.5) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="t",
        device_time=at,
        received_at=at,
        latitude=lat,
        longitude=127.0,
    )


async def test_each_new_fix_publishes_its_vehicle_state_keyed_by_vehicle(
    tracking: tuple[KafkaBroker, Published, Published],
) -> None:
    broker, states, _ = tracking
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    await broker.publish(
        fix("v1", T0).model_dump_json().encode(),
        TELEMETRY_GPS.name,
        key=b"v1",
        headers={"traceparent": traceparent},
    )
    [(key, value, headers)] = states
    assert key == b"v1"
    assert VehicleStateChanged.model_validate_json(value).device_time == T0
    assert trace_id_of(headers["traceparent"]) == "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_an_older_fix_publishes_nothing_and_a_duplicate_republishes_the_stored_state(
    tracking: tuple[KafkaBroker, Published, Published],
) -> None:
    broker, states, _ = tracking
    newest = fix("v2", T0 + timedelta(minutes=1), lat=37.6)
    await broker.publish(newest.model_dump_json().encode(), TELEMETRY_GPS.name, key=b"v2")
    await broker.publish(fix("v2", T0, lat=37.1).model_dump_json().encode(), TELEMETRY_GPS.name, key=b"v2")
    duplicate = fix("v2", newest.device_time, lat=37.9)
    await broker.publish(duplicate.model_dump_json().encode(), TELEMETRY_GPS.name, key=b"v2")
    published = [VehicleStateChanged.model_validate_json(value) for _, value, _ in states]
    assert [s.latitude for s in published] == [37.6, 37.6]
    assert published[0].event_id == published[1].event_id, "the same event again, not a new one"


async def test_a_fix_violating_the_contract_is_dead_lettered(
    tracking: tuple[KafkaBroker, Published, Published],
) -> None:
    broker, states, dead = tracking
    await broker.publish(b'{"vehicle_id": "v3"}', TELEMETRY_GPS.name, key=b"v3")
    assert states == []
    [(key, value, headers)] = dead
    assert (key, value, headers["x-dlq-reason"]) == (b"v3", b'{"vehicle_id": "v3"}', "contract_violation")
