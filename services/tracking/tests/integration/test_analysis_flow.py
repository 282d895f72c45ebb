"""The analysis on real Kafka, Redis and PostgreSQL.

The store: compare-and-set on the analysis revision, the outbox kept until acknowledged.
The flow: tracking runs in-process (own consumer group, own Redis database); a vehicle
with a chilled compartment and a site are published on the fleet topics, then fixes on
`telemetry.gps.v1`; trips, stops, geofence visits, an excursion and (from the sweeper)
an offline alert come out on `tracking.events.v1`, and the live state is enriched.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from pydantic import TypeAdapter
from redis.asyncio import Redis

from coldchain_contracts import (
    AnyTrackingEvent,
    Compartment,
    CompartmentCondition,
    FixAccepted,
    Motion,
    ReeferReading,
    SiteUpserted,
    TemperatureZone,
    TripStarted,
    VehicleRegistered,
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
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance
from coldchain_tracking.analysis_store import AnalysisStore, Commit
from coldchain_tracking.app import create_app
from coldchain_tracking.domain import state_from_fix
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.reference import ReferenceData
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
_EVENT = TypeAdapter(AnyTrackingEvent)


@pytest.fixture
async def consumer_group(infra: Infra, kafka_topics: None) -> AsyncIterator[str]:
    """A group of its own, with its dead-letter topics: the shared topics hold other tests' bad records."""
    group = f"tracking-an-{uuid.uuid4().hex[:8]}"
    # Every topic the app consumes: a poison record another test left on a shared topic is
    # dead-lettered, and a missing dead-letter topic stalls the consumer (and its shutdown).
    dlqs = [
        dlq_topic(t.name, group)
        for t in (TELEMETRY_GPS, FLEET_SITES, FLEET_VEHICLES, TRACKING_EVENTS, ORDERS_EVENTS)
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(name, 1, 1) for name in dlqs])
    yield group
    await admin.delete_topics(dlqs)
    await admin.close()


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url.rsplit("/", 1)[0] + "/14")
    yield client
    await client.aclose()


def fix(
    vehicle: str, at: datetime, lat: float, speed: float, celsius: float = 3.0, lon: float = 127.0
) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="test",
        device_time=at,
        received_at=datetime.now(UTC),
        latitude=lat,
        longitude=lon,
        speed_kmh=speed,
        ignition=speed > 0,
        temperatures=(ReeferReading(channel="A", celsius=celsius),),
    )


async def test_store_commits_only_on_the_expected_revision_and_keeps_the_outbox_until_acknowledged(
    redis: Redis,
) -> None:
    store = AnalysisStore(redis)
    vehicle = f"st-{uuid.uuid4().hex[:8]}"
    t0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    first = fix(vehicle, t0, 37.5, 40)
    outcome = advance(VehicleAnalysis(vehicle_id=vehicle), [Sample.of(first)], AnalysisContext())
    live = state_from_fix(first, 5.0)
    commit = Commit(
        0, outcome.state, live, (TripStarted(vehicle_id=vehicle, at=t0, trip_id=uuid.uuid4()),), True
    )
    assert await store.commit([commit]) == [True]
    assert await store.commit([commit]) == [False], "revision 0 is gone: a second writer must lose"
    loaded = (await store.load([vehicle]))[vehicle]
    assert loaded.analysis == outcome.state
    assert loaded.live == live
    assert loaded.outbox == commit.outbox
    assert loaded.state_pending
    assert await LiveStateStore(redis).get(vehicle) == live, "the live-state reader sees the same hash"
    await store.acknowledge({vehicle: outcome.state.revision + 1})
    assert (await store.load([vehicle]))[vehicle].outbox, "a stale acknowledgement clears nothing"
    await store.acknowledge({vehicle: outcome.state.revision})
    cleared = (await store.load([vehicle]))[vehicle]
    assert cleared.outbox == ()
    assert not cleared.state_pending
    assert vehicle in await store.vehicle_ids()


async def test_a_store_reuses_what_it_holds_only_while_the_revision_in_redis_is_unchanged(
    redis: Redis,
) -> None:
    here, there = AnalysisStore(redis), AnalysisStore(redis)  # two replicas
    vehicle = f"st-{uuid.uuid4().hex[:8]}"
    t0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    first, second = fix(vehicle, t0, 37.5, 40), fix(vehicle, t0 + timedelta(seconds=30), 37.51, 40)
    one = advance(VehicleAnalysis(vehicle_id=vehicle), [Sample.of(first)], AnalysisContext()).state
    assert await here.commit([Commit(0, one, state_from_fix(first, 5.0), (), False)]) == [True]
    assert (await there.load([vehicle]))[vehicle].analysis == one
    two = advance(one, [Sample.of(second)], AnalysisContext()).state
    live_two = state_from_fix(second, 5.0)
    assert await there.commit([Commit(one.revision, two, live_two, (), False)]) == [True]
    reloaded = (await here.load([vehicle]))[vehicle]
    assert reloaded.analysis == two, "the other replica's newer revision is read, not the one held"
    assert reloaded.live == live_two
    stale = advance(one, [Sample.of(second)], AnalysisContext()).state
    assert await here.commit([Commit(one.revision, stale, state_from_fix(second, 5.0), (), False)]) == [False]
    assert (await here.load([vehicle]))[vehicle].analysis == two, "a lost commit is not remembered"


async def test_fixes_become_events_on_tracking_events_and_enrich_live_state(
    infra: Infra, test_database: str, consumer_group: str, kafka_producer: AIOKafkaProducer, redis: Redis
) -> None:
    group = consumer_group
    settings = TrackingSettings(
        service_name=group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=infra.redis_url.rsplit("/", 1)[0] + "/14",
        lateness_s=90,
        flush_after_s=2,
        offline_after_s=6,
        stop_min_s=120,
        geofence_dwell_s=0,
        sweep_every_s=0.5,
        reference_refresh_s=0.5,
    )
    vehicle, site_id = f"an-{uuid.uuid4().hex[:8]}", f"site-{uuid.uuid4().hex[:8]}"
    # A backlog of the last half hour, received now; then the device goes quiet (offline after 6 s).
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    # A longitude of its own, so sites of earlier runs (still on the compacted topic) are elsewhere.
    lon = 126.0 + (uuid.uuid4().int % 1000) / 1000
    site = SiteUpserted(site_id=site_id, code=site_id, latitude=37.6, longitude=lon, geofence_radius_m=300)
    registered = VehicleRegistered(
        vehicle_id=vehicle, compartments=(Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=10),)
    )
    route = [fix(vehicle, t0 + timedelta(minutes=m), 37.5 + 0.01 * m, 50, lon=lon) for m in range(11)]
    warm = [fix(vehicle, t0 + timedelta(minutes=m), 37.6, 0, celsius=9.0, lon=lon) for m in range(11, 19)]
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        reference: ReferenceData = app.state.reference
        await kafka_producer.send_and_wait(
            FLEET_SITES.name, site.model_dump_json().encode(), key=site_id.encode()
        )
        await kafka_producer.send_and_wait(
            FLEET_VEHICLES.name, registered.model_dump_json().encode(), key=vehicle.encode()
        )

        async def projected() -> bool | None:
            fences = {g.geofence_id for g in reference.geofences}
            return True if f"site:{site_id}" in fences and vehicle in reference.compartments else None

        await eventually(projected, timeout_s=30)
        # Two fixes swapped: within the 90 s allowance, analysis sees them in order.
        fixes = [*route, *warm]
        fixes[3], fixes[4] = fixes[4], fixes[3]
        for f in fixes:
            await kafka_producer.send(TELEMETRY_GPS.name, f.model_dump_json().encode(), key=vehicle.encode())
        await kafka_producer.flush()

        def complete(records: list[ConsumerRecord]) -> bool:
            return any(_EVENT.validate_json(r.value).event_type == "AlertOpened" for r in records)

        records = await records_with_key(infra.kafka, TRACKING_EVENTS.name, vehicle.encode(), complete, 60)
        # Earlier runs' sites (same place, other ids) may still be on the compacted topic: ignore them.
        records = [
            r for r in records if _EVENT.validate_json(r.value).model_dump().get("site_id") in (None, site_id)
        ]
        delivered = [_EVENT.validate_json(r.value) for r in records]
        # At-least-once: a rebalance (another tracking consumer in the group, e.g. the e2e
        # system) may redeliver; a repeat must carry the same id and content, consumers dedupe.
        by_id = {e.event_id: e for e in delivered}
        same = {"exclude": {"occurred_at"}}
        assert all(by_id[e.event_id].model_dump(**same) == e.model_dump(**same) for e in delivered)
        events = list(by_id.values())
        kinds = [e.event_type for e in events]
        assert kinds[:5] == ["TripStarted", "GeofenceEntered", "TripEnded", "StopStarted", "ExcursionOpened"]
        assert kinds[-1] == "AlertOpened"
        trip_ended = events[2]
        assert trip_ended.event_type == "TripEnded"
        assert trip_ended.distance_km == pytest.approx(11.1, abs=0.2)
        assert all(
            dict(r.headers)["event_type"].decode() == e.event_type
            for r, e in zip(records, delivered, strict=True)
        )

        live = LiveStateStore(redis)

        async def offline_state() -> object | None:
            state = await live.get(vehicle)
            return state if state is not None and state.motion is Motion.OFFLINE else None

        state = await eventually(offline_state, timeout_s=30)
        assert state.device_time == warm[-1].device_time  # type: ignore[attr-defined]
        assert state.stop_id == events[3].stop_id  # type: ignore[attr-defined,union-attr]
        # Other runs' sites at the same place may also be on the compacted topic.
        assert f"site:{site_id}" in state.geofence_ids  # type: ignore[attr-defined]
        [compartment] = state.compartments  # type: ignore[attr-defined]
        assert compartment.condition is CompartmentCondition.EXCURSION
        assert [a.kind.value for a in state.alerts] == ["offline"]  # type: ignore[attr-defined]
        retired = site.model_copy(update={"active": False})
        await kafka_producer.send_and_wait(
            FLEET_SITES.name, retired.model_dump_json().encode(), key=site_id.encode()
        )
