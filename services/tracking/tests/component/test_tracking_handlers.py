"""Tracking's Kafka handlers on FastStream's in-memory broker, with in-memory stores.

Routing and what gets published (live states, tracking events, dead letters); the real
Redis compare-and-set and PostgreSQL upsert are covered by the integration tests.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts import (
    AnyTrackingEvent,
    Compartment,
    CompartmentCondition,
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
    TELEMETRY_GPS,
    TRACKING_EVENTS,
    VEHICLE_STATE,
    dlq_topic,
)
from coldchain_servicekit.tracecontext import trace_id_of
from coldchain_tracking import handlers
from coldchain_tracking.analysis.vehicle import VehicleAnalysis
from coldchain_tracking.analysis_runner import AnalysisRunner
from coldchain_tracking.analysis_store import Commit, Stored
from coldchain_tracking.reference import ReferenceData
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


class InMemoryVehicles:
    """The analysis store's contract (compare-and-set on the revision) over a dict."""

    def __init__(self) -> None:
        self.rows: dict[str, Stored] = {}

    async def load(self, vehicle_ids: Sequence[str]) -> dict[str, Stored]:
        return {v: self.rows.get(v) or Stored(VehicleAnalysis(vehicle_id=v), None) for v in vehicle_ids}

    async def commit(self, commits: Sequence[Commit]) -> list[bool]:
        results = []
        for c in commits:
            vid = c.analysis.vehicle_id
            current = self.rows[vid].analysis.revision if vid in self.rows else 0
            ok = current == c.expected_revision
            if ok:
                self.rows[vid] = Stored(c.analysis, c.live, c.outbox, c.state_pending)
            results.append(ok)
        return results

    async def acknowledge(self, revisions: dict[str, int]) -> None:
        for vid, revision in revisions.items():
            row = self.rows.get(vid)
            if row is not None and row.analysis.revision == revision:
                self.rows[vid] = replace(row, outbox=(), state_pending=False)

    async def vehicle_ids(self) -> list[str]:
        return sorted(self.rows)


class InMemoryRedis:
    """Just the hash commands `ReferenceData` uses."""

    def __init__(self) -> None:
        self.hashes: dict[str, dict[str, bytes]] = {}

    async def hset(self, key: str, field: str, value: str | bytes) -> None:
        self.hashes.setdefault(key, {})[field] = value.encode() if isinstance(value, str) else value

    async def hdel(self, key: str, field: str) -> None:
        self.hashes.get(key, {}).pop(field, None)

    async def hgetall(self, key: str) -> dict[bytes, bytes]:
        return {k.encode(): v for k, v in self.hashes.get(key, {}).items()}


Published = list[tuple[bytes, bytes, dict[str, str]]]


@pytest.fixture
async def tracking() -> AsyncIterator[tuple[KafkaBroker, Published, Published]]:
    broker = KafkaBroker()
    settings = TrackingSettings(lateness_s=0, geofence_dwell_s=0)
    reference = ReferenceData(InMemoryRedis())  # type: ignore[arg-type]
    runner = AnalysisRunner(broker, InMemoryVehicles(), reference, settings.analysis_config())
    handlers.register(broker, settings, InMemoryHistory(), runner, reference)  # type: ignore[arg-type]
    states: Published = []
    dead: Published = []
    events: Published = []

    @broker.subscriber(TRACKING_EVENTS.name)
    async def on_event(msg: KafkaMessage) -> None:
        events.append((msg.raw_message.key, msg.raw_message.value, dict(msg.headers)))

    @broker.subscriber(VEHICLE_STATE.name)
    async def on_state(msg: KafkaMessage) -> None:
        states.append((msg.raw_message.key, msg.raw_message.value, dict(msg.headers)))

    @broker.subscriber(dlq_topic(TELEMETRY_GPS.name, "tracking"))
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append((msg.raw_message.key, msg.raw_message.value, dict(msg.headers)))

    async with TestKafkaBroker(broker) as test_broker:
        test_broker.tracking_events = events  # type: ignore[attr-defined]
        test_broker.reference = reference  # type: ignore[attr-defined]
        yield test_broker, states, dead


def fix(
    vehicle: str, at: datetime, lat: float = 37.5, speed: float | None = None, **kw: object
) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="t",
        device_time=at,
        received_at=at,
        latitude=lat,
        longitude=127.0,
        speed_kmh=speed,
        **kw,  # type: ignore[arg-type]
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


async def test_fixes_become_tracking_events_and_an_enriched_state(
    tracking: tuple[KafkaBroker, Published, Published],
) -> None:
    broker, states, _ = tracking
    events: Published = broker.tracking_events  # type: ignore[attr-defined]
    site = SiteUpserted(site_id="s1", code="S1", latitude=37.6, longitude=127.0, geofence_radius_m=200)
    await broker.publish(site.model_dump_json().encode(), FLEET_SITES.name, key=b"s1")
    chilled = Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=10)
    vehicle = VehicleRegistered(vehicle_id="v4", compartments=(chilled,))
    await broker.publish(vehicle.model_dump_json().encode(), FLEET_VEHICLES.name, key=b"v4")
    warm = (ReeferReading(channel="A", celsius=9.0),)
    route = [
        fix("v4", T0 + timedelta(minutes=m), lat=37.5 + 0.01 * m, speed=40, temperatures=warm)
        for m in range(11)
    ]
    parked = [
        fix("v4", T0 + timedelta(minutes=m), lat=37.6, speed=0, temperatures=warm) for m in range(11, 16)
    ]
    for f in [*route, *parked]:
        await broker.publish(f.model_dump_json().encode(), TELEMETRY_GPS.name, key=b"v4")
    published = [TypeAdapter(AnyTrackingEvent).validate_json(value) for _, value, _ in events]
    assert {key for key, _, _ in events} == {b"v4"}
    kinds = [e.event_type for e in published]
    assert kinds == ["TripStarted", "ExcursionOpened", "GeofenceEntered", "TripEnded", "StopStarted"]
    last = VehicleStateChanged.model_validate_json(states[-1][1])
    assert last.stop_id is not None
    assert last.trip_id is None
    assert last.geofence_ids == ("site:s1",)
    [compartment] = last.compartments
    assert compartment.condition is CompartmentCondition.EXCURSION
    assert compartment.excursion_id == published[1].excursion_id  # type: ignore[union-attr]


class FlakyBroker:
    """Fails the first `failures` publishes (Kafka down), records the rest."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, bytes]] = []

    async def publish(
        self, value: bytes, *, topic: str, key: bytes, headers: dict[str, str], no_confirm: bool
    ) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Kafka unavailable")
        self.sent.append((topic, value))


async def test_a_batch_whose_publish_failed_republishes_the_same_event_ids_on_redelivery() -> None:
    settings = TrackingSettings(lateness_s=0)
    store = InMemoryVehicles()
    reference = ReferenceData(InMemoryRedis())  # type: ignore[arg-type]
    fixes = [fix("v5", T0 + timedelta(minutes=m), lat=37.5 + 0.01 * m, speed=40) for m in range(3)]
    fixes += [fix("v5", T0 + timedelta(minutes=m), lat=37.53, speed=0) for m in range(3, 8)]
    reference_run = FlakyBroker(failures=0)
    await AnalysisRunner(reference_run, InMemoryVehicles(), reference, settings.analysis_config()).on_fixes(
        fixes, {}
    )  # type: ignore[arg-type]

    flaky = FlakyBroker(failures=1)
    runner = AnalysisRunner(flaky, store, reference, settings.analysis_config())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await runner.on_fixes(fixes, {})
    assert flaky.sent == []
    await runner.on_fixes(
        fixes, {}
    )  # the redelivered batch: analysis already stored, outbox not yet published

    def event_ids(sent: list[tuple[str, bytes]]) -> list[str]:
        return [json.loads(v)["event_id"] for t, v in sent if t == TRACKING_EVENTS.name]

    assert event_ids(flaky.sent) == event_ids(reference_run.sent)
    assert len(event_ids(flaky.sent)) == 3, "TripStarted, TripEnded, StopStarted: once each"
    assert store.rows["v5"].outbox == (), "acknowledged once published"
    await runner.on_fixes(fixes, {})
    assert len(event_ids(flaky.sent)) == 3, "nothing left to publish again"


async def test_a_vehicle_tombstone_removes_its_compartments(
    tracking: tuple[KafkaBroker, Published, Published],
) -> None:
    """A deleted vehicle (null value on fleet.vehicles.v1) has no zones any more."""
    broker, _, _ = tracking
    reference: ReferenceData = broker.reference  # type: ignore[attr-defined]
    frozen = Compartment(channel="A", zone=TemperatureZone.FROZEN, pallets=8, setpoint_celsius=-20)
    vehicle = VehicleRegistered(vehicle_id="v9", compartments=(frozen,))
    await broker.publish(vehicle.model_dump_json().encode(), FLEET_VEHICLES.name, key=b"v9")
    assert reference.compartments["v9"] == (frozen,)
    await broker.publish(None, FLEET_VEHICLES.name, key=b"v9")
    assert "v9" not in reference.compartments
