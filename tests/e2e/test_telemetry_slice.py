"""One fix travels gateway → Kafka → ingest → tracking → gateway, on the real system.

The services run as separate processes (fixture `running_system`) against real
Kafka, PostgreSQL and Redis. Every test uses its own device ids, so tests never see
each other's vehicles.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from coldchain_contracts import FixAccepted, FixRejected, VehicleRegistered
from coldchain_contracts.topics import (
    FLEET_VEHICLES,
    TELEMETRY_GPS,
    TELEMETRY_REJECTED,
    VEHICLE_STATE,
    dlq_topic,
)
from coldchain_devtools.simulator import DEV_INGEST_KEY
from coldchain_devtools.testing import (
    Infra,
    RunningSystem,
    eventually,
    find_record,
    records_with_key,
    register_device,
)
from coldchain_servicekit.tracecontext import trace_id_of

pytestmark = pytest.mark.e2e


def device() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def fix(device_id: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "time": at.isoformat(),
        "latitude": 37.4979,
        "longitude": 127.0276,
        "speed_kmh": 38.0,
        "ignition": True,
        "temperatures": [{"channel": "A", "celsius": -19.5}],
        **extra,
    }


async def post(client: httpx.AsyncClient, *fixes: dict[str, Any]) -> None:
    response = await client.post("/v1/telemetry/gps", json={"fixes": list(fixes)})
    assert response.status_code == 202, response.text


async def state(client: httpx.AsyncClient, vehicle: str) -> dict[str, Any] | None:
    response = await client.get(f"/v1/vehicles/{vehicle}/state")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def positions(client: httpx.AsyncClient, vehicle: str, since: datetime) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v1/vehicles/{vehicle}/positions",
        params={"from": since.isoformat(), "to": datetime.now(UTC).isoformat()},
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["positions"]
    return rows


@pytest.fixture
async def gateway(running_system: RunningSystem) -> Any:
    # The running system's gateway is in dev mode: its documented integration key may post and read.
    headers = {"X-API-Key": DEV_INGEST_KEY}
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=10, headers=headers
    ) as client:
        yield client


async def test_a_posted_fix_becomes_live_state_and_history(gateway: httpx.AsyncClient, infra: Infra) -> None:
    vehicle = device()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2)
    started = time.monotonic()
    trace_id = uuid.uuid4().hex
    response = await gateway.post(
        "/v1/telemetry/gps",
        json={"fixes": [fix(vehicle, at, speed_kmh=52.0)]},
        headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    assert response.status_code == 202, response.text

    async def state_visible() -> dict[str, Any] | None:
        return await state(gateway, vehicle)

    live = await eventually(state_visible, timeout_s=10)
    print(f"fix visible through the gateway after {time.monotonic() - started:.3f}s")
    assert live["device_time"] == at.isoformat().replace("+00:00", "Z")
    assert (live["latitude"], live["longitude"], live["speed_kmh"], live["motion"]) == (
        37.4979,
        127.0276,
        52.0,
        "moving",
    )
    assert live["temperatures"][0]["celsius"] == -19.5
    [row] = await positions(gateway, vehicle, at - timedelta(minutes=1))
    assert row["device_id"] == vehicle
    event = await find_record(infra.kafka, VEHICLE_STATE.name, lambda r: r.key == vehicle.encode())
    assert b'"VehicleStateChanged"' in event.value
    assert trace_id_of(dict(event.headers)["traceparent"].decode()) == trace_id, (
        "the trace crossed three services"
    )


async def test_an_older_or_duplicate_fix_does_not_regress_state_or_duplicate_history(
    gateway: httpx.AsyncClient, infra: Infra
) -> None:
    vehicle = device()
    newest = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    older, later = newest - timedelta(seconds=60), newest + timedelta(seconds=10)
    # Positions ~100 m apart: plausible for ingest's implied-speed filter. The duplicate
    # (same device and time) is now dropped by ingest already; history and live state must
    # show no trace of it either way.

    async def latitude_is(expected: float) -> dict[str, Any] | None:
        live = await state(gateway, vehicle)
        return live if live and live["latitude"] == expected else None

    async def history_rows(count: int) -> list[dict[str, Any]] | None:
        rows = await positions(gateway, vehicle, older - timedelta(minutes=1))
        return rows if len(rows) == count else None

    await post(gateway, fix(vehicle, newest, latitude=37.5000))
    await eventually(lambda: latitude_is(37.5000))
    await post(gateway, fix(vehicle, older, latitude=37.4990), fix(vehicle, newest, latitude=37.5009))
    await eventually(lambda: history_rows(2))
    # A vehicle's fixes share a partition and are applied in order: once this later fix
    # is live, the batch with the older fix and the duplicate has been fully applied.
    await post(gateway, fix(vehicle, later, latitude=37.5010))
    await eventually(lambda: latitude_is(37.5010))

    rows = await positions(gateway, vehicle, older - timedelta(minutes=1))
    assert [r["latitude"] for r in rows] == [37.4990, 37.5000, 37.5010], (
        "each instant once, the first write kept"
    )
    events = await records_with_key(
        infra.kafka,
        VEHICLE_STATE.name,
        vehicle.encode(),
        lambda found: bool(found) and json.loads(found[-1].value)["latitude"] == 37.5010,
    )
    latitudes = [json.loads(r.value)["latitude"] for r in events]
    assert latitudes[0] == 37.5000
    assert latitudes[-1] == 37.5010
    assert 37.4990 not in latitudes, "the older fix never became live state"
    assert 37.5009 not in latitudes, "the duplicate never replaced live state"


async def test_an_impossible_fix_is_rejected_with_its_reason(
    gateway: httpx.AsyncClient, infra: Infra
) -> None:
    vehicle = device()
    at = datetime.now(UTC).replace(microsecond=0)
    await post(
        gateway, fix(vehicle, at, latitude=0.0, longitude=0.0), fix(vehicle, at - timedelta(seconds=1))
    )
    record = await find_record(infra.kafka, TELEMETRY_REJECTED.name, lambda r: r.key == vehicle.encode())
    assert FixRejected.model_validate_json(record.value).reason == "null_island"

    async def valid_one_visible() -> dict[str, Any] | None:
        return await state(gateway, vehicle)

    live = await eventually(valid_one_visible)
    assert (live["latitude"], live["longitude"]) == (37.4979, 127.0276)
    [row] = await positions(gateway, vehicle, at - timedelta(minutes=1))
    assert row["latitude"] == 37.4979, "the rejected fix is not in history"


async def test_a_poison_message_is_dead_lettered_and_the_next_one_still_processed(
    running_system: RunningSystem, gateway: httpx.AsyncClient, kafka_producer: AIOKafkaProducer, infra: Infra
) -> None:
    vehicle = device()
    poison = f'{{"vehicle_id": "{vehicle}", "this is": "not a FixAccepted"}}'.encode()
    await kafka_producer.send_and_wait(TELEMETRY_GPS.name, poison, key=vehicle.encode())
    good = FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="test",
        device_time=datetime.now(UTC),
        received_at=datetime.now(UTC),
        latitude=37.5,
        longitude=127.0,
    )
    await kafka_producer.send_and_wait(
        TELEMETRY_GPS.name, good.model_dump_json().encode(), key=vehicle.encode()
    )

    async def good_one_applied() -> dict[str, Any] | None:
        return await state(gateway, vehicle)

    applied = await eventually(good_one_applied)
    assert applied["device_time"] == good.device_time.isoformat().replace("+00:00", "Z")
    dead = await find_record(
        infra.kafka, dlq_topic(TELEMETRY_GPS.name, "tracking"), lambda r: r.value == poison
    )
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["x-dlq-original-topic"] == TELEMETRY_GPS.name
    assert headers["x-dlq-reason"] == "contract_violation"


async def test_position_history_refuses_an_inverted_range(gateway: httpx.AsyncClient) -> None:
    now = datetime.now(UTC)
    response = await gateway.get(
        "/v1/vehicles/x/positions",
        params={"from": now.isoformat(), "to": (now - timedelta(hours=1)).isoformat()},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_every_service_reports_ready(running_system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        for name in running_system.ports:
            response = await client.get(f"{running_system.url(name)}/readyz")
            assert response.status_code == 200, (name, response.text)
            metrics = await client.get(f"{running_system.url(name)}/metrics")
            assert "coldchain_http_request_seconds" in metrics.text


async def test_a_device_bound_to_a_vehicle_reports_as_that_vehicle(
    gateway: httpx.AsyncClient, kafka_producer: AIOKafkaProducer
) -> None:
    device_id, vehicle = device(), f"truck-{uuid.uuid4().hex[:8]}"
    record = VehicleRegistered(vehicle_id=vehicle, plate="12가3456", device_ids=(device_id,), producer="test")
    await kafka_producer.send_and_wait(
        FLEET_VEHICLES.name, record.model_dump_json().encode(), key=vehicle.encode()
    )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    tries = itertools.count()

    async def bound_state() -> dict[str, Any] | None:
        # The binding is applied asynchronously; until then the fix reports as the device itself.
        # Each try is a new fix: ingest drops a repeat of the same device and time as a duplicate.
        await post(gateway, fix(device_id, start + timedelta(seconds=next(tries))))
        return await state(gateway, vehicle)

    live = await eventually(bound_state, timeout_s=15, interval_s=0.5)
    assert (live["vehicle_id"], live["device_id"]) == (vehicle, device_id)


async def test_a_device_id_with_nul_is_refused_at_the_osmand_port_and_tracking_keeps_going(
    running_system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    """The critical attack: one unauthenticated request with U+0000 in the device id once
    stalled tracking's partition for five minutes. It is now refused at the door, and the
    next device's fix reaches live state as usual."""
    osmand = f"http://127.0.0.1:{running_system.device_ports['osmand']}"
    async with httpx.AsyncClient(base_url=osmand, timeout=10) as client:
        refused = await client.get("/?id=abc%00def&lat=1&lon=1")
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "letters, digits" in refused.json()["detail"]
        good = device()
        await register_device(running_system.url("gateway"), good, "osmand", vehicle_id=good)
        at = datetime.now(UTC).replace(microsecond=0)

        async def accepted() -> bool | None:  # the port learns of the device within a refresh
            r = await client.get(
                "/", params={"id": good, "lat": 37.55, "lon": 126.98, "timestamp": int(at.timestamp())}
            )
            if r.status_code == 400 and "not registered" in r.text:
                return None
            assert r.status_code == 200, r.text
            return True

        await eventually(accepted, timeout_s=15)

    async def visible() -> dict[str, Any] | None:
        return await state(gateway, good)

    live = await eventually(visible, timeout_s=10)
    assert live["latitude"] == 37.55
