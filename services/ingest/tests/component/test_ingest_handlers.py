"""Ingest's Kafka handlers on FastStream's in-memory broker, with an in-memory binding store.

These prove routing (accepted / rejected / dead-letter topics, keys); delivery
guarantees on a real broker are proven by the integration tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from coldchain_contracts import (
    FixAccepted,
    FixRejected,
    RawFix,
    RawFixReceived,
    RejectReason,
    VehicleRegistered,
)
from coldchain_contracts.topics import (
    FLEET_VEHICLES,
    TELEMETRY_GPS,
    TELEMETRY_RAW,
    TELEMETRY_REJECTED,
    dlq_topic,
)
from coldchain_ingest import handlers
from coldchain_ingest.domain import QualityRules, rebind
from coldchain_ingest.settings import IngestSettings

pytestmark = pytest.mark.component
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class InMemoryBindings:
    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    async def apply_vehicle(self, vehicle_id: str, device_ids: Sequence[str], at: datetime) -> None:
        self.cache = rebind(self.cache, vehicle_id, device_ids)


class Captured:
    def __init__(self, broker: KafkaBroker, *topics: str) -> None:
        self.records: dict[str, list[tuple[bytes | None, bytes, dict[str, str]]]] = {t: [] for t in topics}
        for topic in topics:
            self._subscribe(broker, topic)

    def _subscribe(self, broker: KafkaBroker, topic: str) -> None:
        @broker.subscriber(topic)
        async def capture(msg: KafkaMessage) -> None:
            record = msg.raw_message
            self.records[topic].append((record.key, record.value, dict(msg.headers)))


@pytest.fixture
async def ingest() -> AsyncIterator[tuple[KafkaBroker, Captured, InMemoryBindings]]:
    broker = KafkaBroker()
    bindings = InMemoryBindings()
    handlers.register(broker, IngestSettings(), QualityRules(), bindings, clock=lambda: NOW)
    dlq = dlq_topic(TELEMETRY_RAW.name, "ingest")
    captured = Captured(
        broker, TELEMETRY_GPS.name, TELEMETRY_REJECTED.name, dlq, dlq_topic(FLEET_VEHICLES.name, "ingest")
    )
    async with TestKafkaBroker(broker) as test_broker:
        yield test_broker, captured, bindings


def raw(device: str, lat: float = 37.5, lon: float = 127.0) -> RawFixReceived:
    return RawFixReceived(
        device_id=device,
        received_at=NOW,
        fix=RawFix(
            device_time=NOW - timedelta(seconds=5), latitude=lat, longitude=lon, speed=20, speed_unit="knots"
        ),
    )


async def test_clean_fix_is_published_keyed_by_vehicle(
    ingest: tuple[KafkaBroker, Captured, InMemoryBindings],
) -> None:
    broker, captured, bindings = ingest
    bindings.cache["dev-1"] = "truck-7"
    await broker.publish(raw("dev-1").model_dump_json().encode(), TELEMETRY_RAW.name, key=b"dev-1")
    [(key, value, _)] = captured.records[TELEMETRY_GPS.name]
    fix = FixAccepted.model_validate_json(value)
    assert key == b"truck-7"
    assert (fix.vehicle_id, fix.speed_kmh) == ("truck-7", 37.04)


async def test_null_island_fix_goes_to_the_rejected_topic(
    ingest: tuple[KafkaBroker, Captured, InMemoryBindings],
) -> None:
    broker, captured, _ = ingest
    await broker.publish(raw("dev-2", 0.0, 0.0).model_dump_json().encode(), TELEMETRY_RAW.name, key=b"dev-2")
    assert captured.records[TELEMETRY_GPS.name] == []
    [(key, value, _)] = captured.records[TELEMETRY_REJECTED.name]
    assert key == b"dev-2"
    assert FixRejected.model_validate_json(value).reason == RejectReason.NULL_ISLAND


async def test_undecodable_message_is_dead_lettered_with_its_origin(
    ingest: tuple[KafkaBroker, Captured, InMemoryBindings],
) -> None:
    broker, captured, _ = ingest
    await broker.publish(b'{"not": "a fix"}', TELEMETRY_RAW.name, key=b"dev-3")
    [(key, value, headers)] = captured.records[dlq_topic(TELEMETRY_RAW.name, "ingest")]
    assert (key, value) == (b"dev-3", b'{"not": "a fix"}')
    assert headers["x-dlq-original-topic"] == TELEMETRY_RAW.name
    assert headers["x-dlq-reason"] == "contract_violation"
    assert "device_id" in headers["x-dlq-error"]


async def test_vehicle_record_binds_its_devices(
    ingest: tuple[KafkaBroker, Captured, InMemoryBindings],
) -> None:
    broker, _, bindings = ingest
    vehicle = VehicleRegistered(vehicle_id="truck-9", device_ids=("dev-a", "dev-b"))
    await broker.publish(vehicle.model_dump_json().encode(), FLEET_VEHICLES.name, key=b"truck-9")
    assert bindings.cache == {"dev-a": "truck-9", "dev-b": "truck-9"}


async def test_a_tombstone_unbinds_the_vehicles_devices(
    ingest: tuple[KafkaBroker, Captured, InMemoryBindings],
) -> None:
    broker, captured, bindings = ingest
    bindings.cache.update({"dev-a": "truck-9", "dev-z": "truck-1"})
    await broker.publish(None, FLEET_VEHICLES.name, key=b"truck-9")
    assert bindings.cache == {"dev-z": "truck-1"}
    assert captured.records[dlq_topic(FLEET_VEHICLES.name, "ingest")] == [], (
        "a tombstone is not a poison message"
    )
