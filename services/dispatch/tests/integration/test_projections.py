"""Dispatch's projections fed from real Kafka topics by the running dispatch service."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import (
    Compartment,
    Depot,
    OpeningHours,
    SiteUpserted,
    TemperatureZone,
    VehicleRegistered,
    VehicleStateChanged,
)
from coldchain_contracts.topics import FLEET_SITES, FLEET_VEHICLES, VEHICLE_STATE
from coldchain_devtools.testing import Infra, eventually
from coldchain_dispatch.app import create_app
from coldchain_dispatch.db import sites, vehicle_positions, vehicles
from coldchain_dispatch.projections import Projections
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.db import make_engine

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(test_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(test_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def dispatch(infra: Infra, test_database: str, kafka_topics: None) -> AsyncIterator[None]:
    """The dispatch service in-process, its consumer groups named for this test alone."""
    settings = DispatchSettings(
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        service_name=f"dispatch-it-{uuid.uuid4().hex[:8]}",
    )
    async with LifespanManager(create_app(settings), startup_timeout=60, shutdown_timeout=30):
        yield


async def send(producer: AIOKafkaProducer, topic: str, key: str, message: object) -> None:
    assert hasattr(message, "model_dump_json")
    await producer.send_and_wait(topic, message.model_dump_json().encode(), key=key.encode())


async def test_vehicle_site_and_position_reach_the_projections(
    engine: AsyncEngine, dispatch: None, kafka_producer: AIOKafkaProducer
) -> None:
    vehicle, site = f"v-{uuid.uuid4().hex[:8]}", f"s-{uuid.uuid4().hex[:8]}"
    await send(
        kafka_producer,
        FLEET_VEHICLES.name,
        vehicle,
        VehicleRegistered(
            vehicle_id=vehicle,
            compartments=(Compartment(channel="A", zone=TemperatureZone.FROZEN, pallets=12),),
            depot=Depot(latitude=37.27, longitude=127.44),
            shift_start=time(6, 0),
            shift_end=time(18, 0),
            shift_weekdays=(0, 1, 2),
            forklift=True,
        ),
    )
    await send(
        kafka_producer,
        FLEET_SITES.name,
        site,
        SiteUpserted(
            site_id=site,
            code=site.upper(),
            latitude=37.5,
            longitude=127.0,
            opening_hours=(OpeningHours(weekday=0, opens=time(8), closes=time(17)),),
        ),
    )
    newer = VehicleStateChanged(
        vehicle_id=vehicle,
        device_id="d",
        device_time=T0 + timedelta(minutes=5),
        received_at=T0,
        latitude=37.6,
        longitude=127.1,
    )
    await send(kafka_producer, VEHICLE_STATE.name, vehicle, newer)

    async def row(query: object) -> object | None:
        async with engine.connect() as conn:
            return (await conn.execute(query)).first()  # type: ignore[call-overload]

    v = await eventually(lambda: row(select(vehicles).where(vehicles.c.vehicle_id == vehicle)), 30)
    assert (v.forklift, v.shift_start, v.depot_latitude) == (True, time(6, 0), 37.27)  # type: ignore[attr-defined]
    assert v.compartments == [  # type: ignore[attr-defined]
        {"channel": "A", "zone": "frozen", "pallets": 12, "setpoint_celsius": None}
    ]
    assert v.shift_weekdays == [0, 1, 2]  # type: ignore[attr-defined]
    s = await eventually(lambda: row(select(sites).where(sites.c.site_id == site)), 30)
    assert s.opening_hours == [{"weekday": 0, "opens": "08:00:00", "closes": "17:00:00"}]  # type: ignore[attr-defined]
    p = await eventually(
        lambda: row(select(vehicle_positions).where(vehicle_positions.c.vehicle_id == vehicle)), 30
    )
    assert (p.latitude, p.longitude) == (37.6, 127.1)  # type: ignore[attr-defined]


async def test_positions_never_move_back_and_the_latest_record_of_a_batch_wins(
    engine: AsyncEngine, dispatch: None
) -> None:
    projections = Projections(engine)
    vehicle = f"v-{uuid.uuid4().hex[:8]}"

    def state(minutes: int, lat: float) -> VehicleStateChanged:
        at = T0 + timedelta(minutes=minutes)
        return VehicleStateChanged(
            vehicle_id=vehicle, device_id="d", device_time=at, received_at=at, latitude=lat, longitude=127.0
        )

    await projections.apply_positions([state(5, 37.5), state(3, 37.3)])
    await projections.apply_positions([state(1, 37.1)])
    async with engine.connect() as conn:
        lat = (
            await conn.execute(
                select(vehicle_positions.c.latitude).where(vehicle_positions.c.vehicle_id == vehicle)
            )
        ).scalar_one()
    assert lat == 37.5
    await projections.apply_vehicles(
        [
            VehicleRegistered(vehicle_id=vehicle, forklift=True),
            VehicleRegistered(vehicle_id=vehicle, active=False),
        ]
    )
    async with engine.connect() as conn:
        active, forklift = (
            await conn.execute(
                select(vehicles.c.active, vehicles.c.forklift).where(vehicles.c.vehicle_id == vehicle)
            )
        ).one()
    assert (active, forklift) == (False, False), "the whole latest record replaces the row"


async def test_a_vehicle_tombstone_takes_it_out_of_planning(
    engine: AsyncEngine, dispatch: None, kafka_producer: AIOKafkaProducer
) -> None:
    """A deleted vehicle (null value) stays as an inactive row, which no plan selects."""
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    await send(kafka_producer, FLEET_VEHICLES.name, vehicle, VehicleRegistered(vehicle_id=vehicle))

    async def active() -> bool | None:
        async with engine.connect() as conn:
            found = await conn.execute(select(vehicles.c.active).where(vehicles.c.vehicle_id == vehicle))
            return found.scalar_one_or_none()

    assert await eventually(active, 30) is True
    await kafka_producer.send_and_wait(FLEET_VEHICLES.name, None, key=vehicle.encode())

    async def gone() -> bool | None:
        return True if await active() is False else None

    assert await eventually(gone, 30)
