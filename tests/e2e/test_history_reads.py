"""History reads through the gateway on the real system: temperature log, vehicle list,
and trips/excursions projected by tracking from events published on `tracking.events.v1`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from coldchain_contracts.topics import TRACKING_EVENTS
from coldchain_contracts.tracking_events import ExcursionOpened, TrackingEvent, TripEnded, TripStarted
from coldchain_devtools.testing import RunningSystem, dev_key_headers, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
async def gateway(running_system: RunningSystem) -> Any:
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=10, headers=dev_key_headers()
    ) as client:
        yield client


def device() -> str:
    return f"e2e-h-{uuid.uuid4().hex[:10]}"


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_posted_readings_appear_in_the_temperature_log_and_the_vehicle_in_the_list(
    gateway: httpx.AsyncClient,
) -> None:
    vehicle = device()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    fixes = [
        {
            "device_id": vehicle,
            "time": (at + timedelta(seconds=i)).isoformat(),
            "latitude": 37.4979,
            "longitude": 127.0276,
            "door_open": i == 1,
            "temperatures": [{"channel": "A", "celsius": -19.5 + i}, {"channel": "B", "state": "unused"}],
        }
        for i in range(2)
    ]
    assert (await gateway.post("/v1/telemetry/gps", json={"fixes": fixes})).status_code == 202
    window = {"from": (at - timedelta(minutes=1)).isoformat(), "to": datetime.now(UTC).isoformat()}

    async def logged() -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] = (await get(gateway, f"/v1/vehicles/{vehicle}/temperatures", **window))[
            "readings"
        ]
        return rows if len(rows) == 2 else None

    log = await eventually(logged, timeout_s=15)
    assert [r["readings"][0]["celsius"] for r in log] == [-19.5, -18.5]
    assert [r["door_open"] for r in log] == [False, True]
    assert log[0]["readings"][1] == {
        "channel": "B",
        "celsius": None,
        "state": "unused",
        "setpoint_celsius": None,
    }

    async def listed_with_it() -> list[str] | None:
        # The gateway lists from its copy of the state topic: it sees the state one hop after tracking.
        listed: list[str] = []
        cursor = None
        while True:
            page = await get(gateway, "/v1/vehicles", limit=1000, **({"cursor": cursor} if cursor else {}))
            listed += [s["vehicle_id"] for s in page["vehicles"]]
            if (cursor := page["next_cursor"]) is None:
                return listed if vehicle in listed else None

    listed = await eventually(listed_with_it, timeout_s=15, interval_s=0.2)
    assert listed == sorted(listed)


async def test_published_trip_and_excursion_events_become_rows_behind_the_gateway(
    gateway: httpx.AsyncClient, kafka_producer: AIOKafkaProducer
) -> None:
    vehicle = device()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    trip, excursion = uuid.uuid4(), uuid.uuid4()
    events: list[TrackingEvent] = [
        TripStarted(vehicle_id=vehicle, at=t0, trip_id=trip, producer="test"),
        ExcursionOpened(
            vehicle_id=vehicle,
            at=t0 + timedelta(minutes=20),
            excursion_id=excursion,
            channel="A",
            started_at=t0 + timedelta(minutes=5),
            celsius=-12.0,
            producer="test",
        ),
        TripEnded(
            vehicle_id=vehicle,
            at=t0 + timedelta(minutes=50),
            trip_id=trip,
            started_at=t0,
            distance_km=31.2,
            producer="test",
        ),
    ]
    for event in events:
        await kafka_producer.send_and_wait(
            TRACKING_EVENTS.name, event.model_dump_json().encode(), key=vehicle.encode()
        )

    async def ended_trip() -> dict[str, Any] | None:
        trips = (await get(gateway, f"/v1/vehicles/{vehicle}/trips"))["trips"]
        return trips[0] if trips and trips[0]["ended_at"] else None

    row = await eventually(ended_trip, timeout_s=20)
    assert (row["trip_id"], row["distance_km"], row["open"]) == (str(trip), 31.2, False)
    [open_excursion] = (await get(gateway, f"/v1/vehicles/{vehicle}/excursions", status="open"))["excursions"]
    assert (open_excursion["excursion_id"], open_excursion["opened_celsius"]) == (str(excursion), -12.0)
