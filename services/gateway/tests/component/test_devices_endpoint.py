"""`PUT /v1/devices/{id}` against FastStream's in-memory broker (no lifespan, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from coldchain_contracts import DeviceRegistered, SpeedUnit
from coldchain_contracts.topics import FLEET_DEVICES
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component


@pytest.fixture
async def gateway(make_app: AppFactory) -> AsyncIterator[tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]]]:
    # Ingest is not running: reads must fail as a 503 problem, not hang.
    admin = Principal(
        "test-admin", "integration", "admin", frozenset({Permission.DEVICES_READ, Permission.DEVICES_WRITE})
    )
    app = make_app(admin, ingest_url="http://127.0.0.1:9", upstream_timeout_s=2)
    published: list[tuple[bytes, bytes]] = []

    @app.state.broker.subscriber(FLEET_DEVICES.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append((msg.raw_message.key, msg.raw_message.value))

    async with TestKafkaBroker(app.state.broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=AUTH) as client:
            yield client, published
    await app.state.ingest.aclose()
    await app.state.tracking.aclose()


async def test_put_publishes_the_whole_device_record_keyed_by_device(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    body = {"vehicle_id": "truck-7", "protocol": "teltonika", "options": {"teltonika_io": {"door": 3}}}
    response = await client.put("/v1/devices/356307042441013", json=body)
    assert response.status_code == 202, response.text
    [(key, value)] = published
    record = DeviceRegistered.model_validate_json(value)
    assert key == b"356307042441013"
    assert (record.vehicle_id, record.protocol, record.active, record.producer) == (
        "truck-7",
        "teltonika",
        True,
        "gateway",
    )
    assert record.options.teltonika_io is not None
    assert record.options.teltonika_io.door == 3
    assert response.json()["event_id"] == str(record.event_id)


async def test_put_of_an_osmand_device_carries_its_speed_unit(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    response = await client.put(
        "/v1/devices/phone-1", json={"protocol": "osmand", "options": {"speed_unit": "kmh"}}
    )
    assert response.status_code == 202
    record = DeviceRegistered.model_validate_json(published[0][1])
    assert (record.vehicle_id, record.options.speed_unit) == (None, SpeedUnit.KMH)


@pytest.mark.parametrize(
    "body",
    [
        {"protocol": "teltonika", "options": {"teltonika_io": {"door": 70000}}},
        {"protocol": "teltonika", "options": {"teltonika_io": {"doors": 3}}},
        {"protocol": "osmand", "options": {"speed_unit": "furlongs"}},
        {"vehicle_id": "truck 7", "protocol": "teltonika"},
        {},
    ],
)
async def test_an_invalid_record_is_a_422_problem_and_publishes_nothing(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]], body: dict[str, object]
) -> None:
    client, published = gateway
    response = await client.put("/v1/devices/dev-1", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert published == []


async def test_reads_without_ingest_are_a_503_problem(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, _ = gateway
    response = await client.get("/v1/devices")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
