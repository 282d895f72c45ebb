"""The device registry and bindings tables against real PostgreSQL (no Kafka)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import DeviceOptions, DeviceRegistered, SpeedUnit, TeltonikaIoMap
from coldchain_ingest.app import SCHEMA_DEF
from coldchain_ingest.registry import DeviceRegistry
from coldchain_ingest.repository import DeviceBindings
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.migrations import upgrade_async

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def engine(test_database: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(test_database, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
    engine = make_engine(test_database)
    yield engine
    await engine.dispose()


def ids() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return f"dev-{suffix}", f"truck-{suffix}"


async def test_a_registered_device_is_stored_bound_and_seen_by_another_replica(engine: AsyncEngine) -> None:
    device, vehicle = ids()
    writer = DeviceRegistry(engine, DeviceBindings(engine))
    options = DeviceOptions(speed_unit=SpeedUnit.MPH, teltonika_io=TeltonikaIoMap(door=3))
    await writer.apply(
        DeviceRegistered(device_id=device, vehicle_id=vehicle, protocol="teltonika", options=options)
    )

    reader_bindings = DeviceBindings(engine)
    reader = DeviceRegistry(engine, reader_bindings)
    await reader_bindings.load()
    await reader.load()
    assert reader.is_known(device)
    assert reader.options_for(device) == options
    assert reader.options_for(device).teltonika_io == TeltonikaIoMap(door=3), "only the set field survives"
    assert reader_bindings.cache[device] == vehicle
    stored = await reader.get(device)
    assert stored is not None
    assert (stored.vehicle_id, stored.protocol, stored.active) == (vehicle, "teltonika", True)


async def test_deactivating_unbinds_and_makes_the_device_unknown(engine: AsyncEngine) -> None:
    device, vehicle = ids()
    bindings = DeviceBindings(engine)
    registry = DeviceRegistry(engine, bindings)
    await registry.apply(DeviceRegistered(device_id=device, vehicle_id=vehicle, protocol="osmand"))
    await registry.apply(
        DeviceRegistered(device_id=device, vehicle_id=vehicle, protocol="osmand", active=False)
    )
    await bindings.load()
    await registry.load()
    assert device not in bindings.cache
    assert not registry.is_known(device)
    assert registry.options_for(device) == DeviceOptions()


async def test_a_registry_record_without_vehicle_unbinds_a_vehicle_binding(engine: AsyncEngine) -> None:
    device, vehicle = ids()
    bindings = DeviceBindings(engine)
    registry = DeviceRegistry(engine, bindings)
    await bindings.apply_vehicle(
        vehicle, [device], DeviceRegistered(device_id=device, protocol="x").occurred_at
    )
    await registry.apply(DeviceRegistered(device_id=device, vehicle_id=None, protocol="teltonika"))
    await bindings.load()
    assert device not in bindings.cache
    assert device in {e.device_id for e in await registry.all()}
