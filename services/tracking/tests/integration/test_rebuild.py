"""Redis lost, nothing lost: tracking's live state rebuilt from PostgreSQL history and the fleet topics.

Tracking runs in-process (own consumer group, own Redis database, flushed with FLUSHDB
rather than FLUSHALL because other tests share the Redis server). A vehicle with a chilled
compartment and a site are published on the fleet topics, fixes on `telemetry.gps.v1`;
once the analysis settled, Redis is emptied, `python -m coldchain_tracking
rebuild-live-state` runs as a process, and every vehicle's live state (trip, stop,
compartments, geofences, alerts, position) is what it was. Emptied again, a tracking that
starts rebuilds on its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis

from coldchain_contracts import (
    Compartment,
    FixAccepted,
    ReeferReading,
    SiteUpserted,
    TemperatureZone,
    VehicleRegistered,
    VehicleStateChanged,
)
from coldchain_contracts.topics import (
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
    TELEMETRY_GPS,
    TRACKING_EVENTS,
    dlq_topic,
)
from coldchain_devtools.testing import Infra, eventually
from coldchain_tracking.analysis.live import same_content
from coldchain_tracking.app import create_app
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.reference import COMPARTMENTS_KEY, GEOFENCES_KEY
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
DB = 11


@pytest.fixture
async def consumer_group(infra: Infra, kafka_topics: None) -> AsyncIterator[str]:
    group = f"tracking-rb-{uuid.uuid4().hex[:8]}"
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


def fix(vehicle: str, at: datetime, lat: float, lon: float, speed: float, celsius: float) -> FixAccepted:
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


async def test_a_flushed_redis_is_rebuilt_to_the_same_live_state_by_command_and_at_start(
    infra: Infra, test_database: str, consumer_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    redis_url = infra.redis_url.rsplit("/", 1)[0] + f"/{DB}"
    thresholds = {"lateness_s": 90, "flush_after_s": 2, "stop_min_s": 120, "geofence_dwell_s": 0}
    settings = TrackingSettings(
        service_name=consumer_group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=redis_url,
        sweep_every_s=0.5,
        reference_refresh_s=0.5,
        **thresholds,  # type: ignore[arg-type]
    )
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    run = uuid.uuid4().hex[:8]
    lon = 126.0 + (uuid.uuid4().int % 1000) / 1000  # apart from earlier runs' sites on the topic
    site = SiteUpserted(
        site_id=f"site-{run}", code=f"s-{run}", latitude=37.6, longitude=lon, geofence_radius_m=300
    )
    vehicles = [f"rb-{run}-{n}" for n in range(3)]
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    fixes: dict[str, list[FixAccepted]] = {}
    for n, vid in enumerate(vehicles):
        route = [fix(vid, t0 + timedelta(minutes=m), 37.5 + 0.01 * m, lon, 50, 3.0) for m in range(10)]
        # Then parked at the site, warm: a stop, a geofence visit, an open excursion.
        parked = [fix(vid, t0 + timedelta(minutes=m), 37.6, lon, 0, 9.0) for m in range(10, 18 + n)]
        fixes[vid] = [*route, *parked]
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        await kafka_producer.send_and_wait(
            FLEET_SITES.name, site.model_dump_json().encode(), key=site.site_id.encode()
        )
        for vid in vehicles:
            registered = VehicleRegistered(
                vehicle_id=vid,
                compartments=(Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=10),),
            )
            await kafka_producer.send_and_wait(
                FLEET_VEHICLES.name, registered.model_dump_json().encode(), key=vid.encode()
            )

        async def projected() -> bool | None:
            reference = app.state.reference
            fences = {g.geofence_id for g in reference.geofences}
            return (
                True
                if f"site:{site.site_id}" in fences and all(v in reference.compartments for v in vehicles)
                else None
            )

        await eventually(projected, timeout_s=30)
        for vid, vfixes in fixes.items():
            for f in vfixes:
                await kafka_producer.send(TELEMETRY_GPS.name, f.model_dump_json().encode(), key=vid.encode())
        await kafka_producer.flush()
        live: LiveStateStore = app.state.live

        async def settled() -> dict[str, VehicleStateChanged] | None:
            # Analysed up to the newest fix: the quiet vehicle's reorder buffer was flushed.
            states = {vid: await live.get(vid) for vid in vehicles}
            done = all(
                s is not None and s.analysed_until == fixes[vid][-1].device_time for vid, s in states.items()
            )
            return {k: v for k, v in states.items() if v is not None} if done else None

        before = await eventually(settled, timeout_s=60)
    assert all(s.trip_id is None and s.stop_id is not None for s in before.values()), (
        "parked: a stop, no trip"
    )
    # Other runs' sites on the shared compacted topic may overlap: ours must be among them.
    assert all(f"site:{site.site_id}" in s.geofence_ids for s in before.values())
    assert all(s.compartments and s.compartments[0].celsius == 9.0 for s in before.values())

    await redis.flushdb()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "DATABASE_URL": test_database,
        "REDIS_URL": redis_url,
        **{f"TRACKING_{k.upper()}": str(v) for k, v in thresholds.items()},
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "coldchain_tracking", "rebuild-live-state"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # At least ours: a new group reads the fix topic from the start (other runs' vehicles too).
    assert json.loads(done.stdout.splitlines()[-1])["vehicles"] >= len(vehicles), done.stdout
    store = LiveStateStore(redis)
    for vid in vehicles:
        rebuilt = await store.get(vid)
        assert rebuilt is not None
        assert same_content(rebuilt, before[vid]), (vid, rebuilt, before[vid])
    assert await redis.hexists(GEOFENCES_KEY, f"site:{site.site_id}")
    assert all([await redis.hexists(COMPARTMENTS_KEY, vid) for vid in vehicles])
    listed = [s for s in await store.page(f"rb-{run}", 10) if s.vehicle_id.startswith(f"rb-{run}-")]
    assert listed == [await store.get(v) for v in vehicles], "the listing index is rebuilt too"

    await redis.flushdb()
    restarted = create_app(settings)
    async with LifespanManager(restarted, startup_timeout=60, shutdown_timeout=30):
        for vid in vehicles:
            again = await restarted.state.live.get(vid)
            assert again is not None
            assert same_content(again, before[vid]), "rebuilt by the start itself"
    await redis.flushdb()
    await redis.aclose()
