"""`fleet.devices.v1` into the registry, on FastStream's in-memory broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from coldchain_contracts import DeviceOptions, DeviceRegistered, SpeedUnit
from coldchain_contracts.topics import FLEET_DEVICES
from coldchain_ingest import device_handlers
from coldchain_ingest.settings import IngestSettings

pytestmark = pytest.mark.component


class InMemoryRegistry:
    def __init__(self) -> None:
        self.devices: dict[str, DeviceRegistered] = {}

    async def apply(self, device: DeviceRegistered) -> None:
        self.devices[device.device_id] = device


@pytest.fixture
async def ingest() -> AsyncIterator[tuple[KafkaBroker, InMemoryRegistry]]:
    broker = KafkaBroker()
    registry = InMemoryRegistry()
    device_handlers.register(broker, IngestSettings(), registry)
    async with TestKafkaBroker(broker) as test_broker:
        yield test_broker, registry


async def test_a_device_record_reaches_the_registry_with_its_options(
    ingest: tuple[KafkaBroker, InMemoryRegistry],
) -> None:
    broker, registry = ingest
    record = DeviceRegistered(
        device_id="osm-1",
        vehicle_id="truck-3",
        protocol="osmand",
        options=DeviceOptions(speed_unit=SpeedUnit.KMH),
    )
    await broker.publish(record.model_dump_json().encode(), FLEET_DEVICES.name, key=b"osm-1")
    stored = registry.devices["osm-1"]
    assert (stored.vehicle_id, stored.protocol, stored.options.speed_unit) == (
        "truck-3",
        "osmand",
        SpeedUnit.KMH,
    )


async def test_a_tombstone_deactivates_the_device(ingest: tuple[KafkaBroker, InMemoryRegistry]) -> None:
    broker, registry = ingest
    await broker.publish(None, FLEET_DEVICES.name, key=b"356307042441013")
    stored = registry.devices["356307042441013"]
    assert (stored.active, stored.vehicle_id) == (False, None)
