"""Loads from `orders.events.v1` on real Kafka, Redis and PostgreSQL.

The store: orders on board in PostgreSQL, written only by a newer order version, read
back by a fresh store (a restart). The flow: tracking runs in-process (own consumer
groups, own Redis database); an order is accepted and picked up by a vehicle on
`orders.events.v1`, slow fixes follow on `telemetry.gps.v1`, and a `slow_or_stuck`
alert opens on `tracking.events.v1` with the order's setpoint as the compartment band;
after `OrderDelivered` the vehicle is unloaded and the alert closes.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from pydantic import TypeAdapter
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import (
    AlertClosed,
    AlertKind,
    AlertOpened,
    AnyTrackingEvent,
    Compartment,
    FixAccepted,
    ReeferReading,
    TemperatureZone,
    VehicleRegistered,
    VehicleStateChanged,
)
from coldchain_contracts.orders import (
    OrderAccepted,
    OrderDelivered,
    OrderEvent,
    OrderPickedUp,
    OrderSpec,
    OrderStatus,
    OrderStop,
    TimeWindow,
)
from coldchain_contracts.topics import (
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
    TELEMETRY_GPS,
    TRACKING_EVENTS,
    dlq_topic,
)
from coldchain_devtools.testing import Infra, eventually, records_with_key
from coldchain_tracking.analysis_runner import AnalysisRunner
from coldchain_tracking.app import create_app
from coldchain_tracking.db import order_loads
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.load_store import LoadStore
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
_EVENT = TypeAdapter(AnyTrackingEvent)


def spec(setpoint: float | None, dropoff_site: str, at: datetime) -> OrderSpec:
    window = TimeWindow(start=at, end=at + timedelta(hours=4))
    return OrderSpec(
        order_number=f"N-{uuid.uuid4().hex[:8]}",
        zone=TemperatureZone.CHILLED,
        setpoint_celsius=setpoint,
        pallets=4,
        weight_kg=1200,
        pickup=OrderStop(site_id="depot", window=window),
        dropoff=OrderStop(site_id=dropoff_site, window=window),
        requested_date=date(2026, 11, 26),
    )


def lifecycle(order_id: uuid.UUID, vehicle: str, t0: datetime) -> tuple[OrderEvent, OrderEvent, OrderEvent]:
    accepted = OrderAccepted(
        order_id=order_id, status=OrderStatus.ACCEPTED, version=2, order=spec(3.0, "dst", t0)
    )
    picked = OrderPickedUp(
        order_id=order_id, status=OrderStatus.PICKED_UP, version=5, vehicle_id=vehicle, departed_at=t0
    )
    delivered = OrderDelivered(
        order_id=order_id,
        status=OrderStatus.DELIVERED,
        version=6,
        vehicle_id=vehicle,
        departed_at=t0 + timedelta(hours=1),
    )
    return accepted, picked, delivered


async def test_store_applies_newer_versions_only_and_survives_a_restart(engine: AsyncEngine) -> None:
    vehicle, oid = f"ld-{uuid.uuid4().hex[:8]}", uuid.uuid4()
    t0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    accepted, picked, delivered = lifecycle(oid, vehicle, t0)
    store = LoadStore(engine)
    assert await store.apply([accepted, picked]) == 2
    assert await store.apply([accepted, picked]) == 0, "a redelivered batch changes nothing"
    [on_board] = store.on_board(vehicle)
    assert (on_board.order_id, on_board.departed_at) == (oid, t0)
    assert (on_board.zone, on_board.setpoint_celsius, on_board.dropoff_site_id) == (
        TemperatureZone.CHILLED,
        3.0,
        "dst",
    )
    restarted = LoadStore(engine)
    await restarted.load()
    assert restarted.on_board(vehicle) == (on_board,)
    assert await store.apply([delivered]) == 1
    assert store.on_board(vehicle) == ()
    assert await store.apply([picked]) == 0, "an older event cannot put a delivered order back on board"
    await restarted.load()
    assert restarted.on_board(vehicle) == ()
    async with engine.connect() as conn:
        row = (await conn.execute(select(order_loads).where(order_loads.c.order_id == oid))).mappings().one()
    assert (row["status"], row["version"], row["vehicle_id"]) == ("delivered", 6, vehicle)


async def test_purge_drops_only_finished_orders_older_than_the_keep_period(engine: AsyncEngine) -> None:
    vehicle, done, carried = f"ld-{uuid.uuid4().hex[:8]}", uuid.uuid4(), uuid.uuid4()
    t0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    store = LoadStore(engine)
    await store.apply([*lifecycle(done, vehicle, t0), lifecycle(carried, vehicle, t0)[1]])
    ours = order_loads.c.order_id.in_([done, carried])
    async with engine.begin() as conn:
        await conn.execute(update(order_loads).where(ours).values(updated_at=func.now() - timedelta(days=40)))
    assert await store.purge(timedelta(days=35)) >= 1
    async with engine.connect() as conn:
        left = (await conn.execute(select(order_loads.c.order_id).where(ours))).scalars().all()
    assert left == [carried], "an order still on board is never purged"


@pytest.fixture
async def consumer_group(infra: Infra, kafka_topics: None) -> AsyncIterator[str]:
    """A group of its own, with its dead-letter topics: the shared topics hold other tests' bad records."""
    group = f"tracking-ld-{uuid.uuid4().hex[:8]}"
    topics = (TELEMETRY_GPS, FLEET_SITES, FLEET_VEHICLES, ORDERS_EVENTS, TRACKING_EVENTS)
    dlqs = [dlq_topic(t.name, group) for t in topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(name, 1, 1) for name in dlqs])
    yield group
    await admin.delete_topics(dlqs)
    await admin.close()


def fix(vehicle: str, at: datetime, lat: float, lon: float) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="test",
        device_time=at,
        received_at=datetime.now(UTC),
        latitude=lat,
        longitude=lon,
        speed_kmh=8,
        ignition=True,
        temperatures=(ReeferReading(channel="A", celsius=3.5),),
    )


async def test_picked_up_order_loads_the_vehicle_slow_fixes_open_an_alert_delivery_unloads(
    infra: Infra, test_database: str, consumer_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    redis_url = infra.redis_url.rsplit("/", 1)[0] + "/13"
    settings = TrackingSettings(
        service_name=consumer_group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=redis_url,
        lateness_s=0,
        offline_after_s=3600,
        slow_after_s=120,
        alert_dedup_s=60,
        sweep_every_s=0.5,
        reference_refresh_s=0.5,
    )
    vehicle, oid = f"ld-{uuid.uuid4().hex[:8]}", uuid.uuid4()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    lon = 126.0 + (uuid.uuid4().int % 1000) / 1000  # away from sites of other runs
    accepted, picked, delivered = lifecycle(oid, vehicle, t0)
    registered = VehicleRegistered(
        vehicle_id=vehicle, compartments=(Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=10),)
    )
    # Crawling at 8 km/h (under 15), 30 s apart, outside every site.
    crawl = [fix(vehicle, t0 + timedelta(seconds=30 * i), 37.5 + 0.00007 * i, lon) for i in range(11)]
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        runner: AnalysisRunner = app.state.runner
        await kafka_producer.send_and_wait(
            FLEET_VEHICLES.name, registered.model_dump_json().encode(), key=vehicle.encode()
        )
        for event in (accepted, picked):
            await kafka_producer.send_and_wait(
                ORDERS_EVENTS.name, event.model_dump_json().encode(), key=str(oid).encode()
            )

        async def loaded() -> bool | None:
            load = runner.context(vehicle).load
            return True if load is not None and load.setpoints == {"A": 3.0} else None

        await eventually(loaded, timeout_s=30)
        load = runner.context(vehicle).load
        assert load is not None
        assert (load.loaded_since, load.destination_site_id) == (t0, "dst")
        for f in crawl:
            await kafka_producer.send(TELEMETRY_GPS.name, f.model_dump_json().encode(), key=vehicle.encode())
        await kafka_producer.flush()

        def opened(records: list[ConsumerRecord]) -> bool:
            return any(isinstance(_EVENT.validate_json(r.value), AlertOpened) for r in records)

        records = await records_with_key(infra.kafka, TRACKING_EVENTS.name, vehicle.encode(), opened, 60)
        [alert] = {
            e.event_id: e for r in records if isinstance(e := _EVENT.validate_json(r.value), AlertOpened)
        }.values()
        assert alert.kind is AlertKind.SLOW_OR_STUCK
        assert alert.at == t0 + timedelta(seconds=120)

        live: LiveStateStore = app.state.live

        async def with_alert() -> VehicleStateChanged | None:
            state = await live.get(vehicle)
            return state if state is not None and state.alerts else None

        state = await eventually(with_alert, timeout_s=30)
        [compartment] = state.compartments
        assert (compartment.band_low_celsius, compartment.band_high_celsius) == (1.0, 5.0), "3 °C ± 2"

        await kafka_producer.send_and_wait(
            ORDERS_EVENTS.name, delivered.model_dump_json().encode(), key=str(oid).encode()
        )

        async def unloaded() -> bool | None:
            return True if runner.context(vehicle).load is None else None

        await eventually(unloaded, timeout_s=30)
        # Still crawling, now empty: the condition cleared; after the 60 s window the alert closes.
        after = [fix(vehicle, t0 + timedelta(seconds=30 * i), 37.5 + 0.00007 * i, lon) for i in range(11, 16)]
        for f in after:
            await kafka_producer.send(TELEMETRY_GPS.name, f.model_dump_json().encode(), key=vehicle.encode())
        await kafka_producer.flush()

        def closed(records: list[ConsumerRecord]) -> bool:
            return any(isinstance(_EVENT.validate_json(r.value), AlertClosed) for r in records)

        records = await records_with_key(infra.kafka, TRACKING_EVENTS.name, vehicle.encode(), closed, 60)
        [closing] = {
            e.event_id: e for r in records if isinstance(e := _EVENT.validate_json(r.value), AlertClosed)
        }.values()
        assert closing.alert_id == alert.alert_id
        assert closing.at == after[0].device_time, "cleared at the first fix analysed unloaded"
