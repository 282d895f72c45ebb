"""`POST /v1/telemetry/gps` against FastStream's in-memory broker (no lifespan, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from coldchain_contracts import RawFixReceived
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_gateway.security.permissions import DEVICE_PERMISSIONS
from coldchain_gateway.security.principal import Principal
from coldchain_servicekit.tracecontext import trace_id_of

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component
traceparents: list[str | None] = []


def fix(device: str = "truck-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device_id": device,
        "time": "2026-11-26T09:30:00+09:00",
        "latitude": 37.4979,
        "longitude": 127.0276,
        "speed_kmh": 40,
        "temperatures": [{"channel": "A", "celsius": -19.5}],
    }
    body.update(overrides)
    return body


@pytest.fixture
async def gateway(make_app: AppFactory) -> AsyncIterator[tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]]]:
    app = make_app()
    published: list[tuple[bytes, bytes]] = []

    @app.state.broker.subscriber(TELEMETRY_RAW.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append((msg.raw_message.key, msg.raw_message.value))
        traceparents.append(dict(msg.headers).get("traceparent"))

    traceparents.clear()

    async with TestKafkaBroker(app.state.broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=AUTH) as client:
            yield client, published


async def test_valid_batch_is_published_per_fix_keyed_by_device(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    response = await client.post("/v1/telemetry/gps", json={"fixes": [fix("a"), fix("b"), fix("a")]})
    assert response.status_code == 202
    assert response.json()["accepted"] == 3
    assert [key for key, _ in published] == [b"a", b"b", b"a"], "order of the batch, hence per device"
    first = RawFixReceived.model_validate_json(published[0][1])
    assert first.fix.device_time.isoformat() == "2026-11-26T09:30:00+09:00", "raw keeps the device's offset"
    assert first.correlation_id is not None


async def test_one_bad_fix_rejects_the_batch_naming_the_field_and_publishes_nothing(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    response = await client.post("/v1/telemetry/gps", json={"fixes": [fix(), fix(), fix(latitude=123.0)]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"][0]["pointer"] == "/body/fixes/2/latitude"
    assert "fixes.2.latitude" in problem["detail"]
    assert published == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"fixes": []}, "/body/fixes"),
        ({"fixes": [fix(time="2026-11-26T09:30:00")]}, "/body/fixes/0/time"),
        ({"fixes": [fix(device_id="")]}, "/body/fixes/0/device_id"),
        ({"fixes": [fix(unknown_field=1)]}, "/body/fixes/0/unknown_field"),
        ({"fixes": [fix(speed_kmh=-1)]}, "/body/fixes/0/speed_kmh"),
    ],
)
async def test_invalid_input_is_a_422_problem_with_a_pointer(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]], body: dict[str, Any], pointer: str
) -> None:
    client, published = gateway
    response = await client.post("/v1/telemetry/gps", json=body)
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert published == []


async def test_more_than_1000_fixes_is_refused(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    response = await client.post("/v1/telemetry/gps", json={"fixes": [fix()] * 1001})
    assert response.status_code == 422
    assert published == []


async def test_malformed_json_is_a_problem_not_a_stack_trace(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, _ = gateway
    response = await client.post(
        "/v1/telemetry/gps", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text


async def test_fixes_carry_the_callers_trace(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, _ = gateway
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await client.post(
        "/v1/telemetry/gps", json={"fixes": [fix(), fix()]}, headers={"traceparent": parent}
    )
    assert response.status_code == 202
    assert [trace_id_of(t) for t in traceparents] == ["4bf92f3577b34da6a3ce929d0e0e4736"] * 2


async def test_without_a_caller_trace_one_request_is_one_trace(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, _ = gateway
    assert (await client.post("/v1/telemetry/gps", json={"fixes": [fix(), fix(), fix()]})).status_code == 202
    trace_ids = {trace_id_of(t) for t in traceparents}
    assert len(trace_ids) == 1
    assert None not in trace_ids


async def test_a_device_credential_cannot_post_for_another_device(make_app: AppFactory) -> None:
    device = Principal("d1", "device", "terminal", DEVICE_PERMISSIONS, devices=frozenset({"truck-1"}))
    app = make_app(device)
    published: list[bytes] = []

    @app.state.broker.subscriber(TELEMETRY_RAW.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append(msg.raw_message.key)

    async with (
        TestKafkaBroker(app.state.broker),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        refused = await client.post(
            "/v1/telemetry/gps", json={"fixes": [fix("truck-1"), fix("truck-2")]}, headers=AUTH
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["devices"] == ["truck-2"]
        assert published == [], "nothing of a refused batch is published"
        ok = await client.post("/v1/telemetry/gps", json={"fixes": [fix("truck-1")]}, headers=AUTH)
        assert ok.status_code == 202
    assert published == [b"truck-1"]


async def test_without_credentials_nothing_is_published(make_app: AppFactory) -> None:
    app = make_app()
    async with (
        TestKafkaBroker(app.state.broker),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        response = await client.post("/v1/telemetry/gps", json={"fixes": [fix()]})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="coldchain"'


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"attributes": {"note": "a\u0000b"}}, "/body/fixes/0/attributes"),
        ({"attributes": {"k\u0000": 1}}, "/body/fixes/0/attributes"),
        ({"attributes": {"nested": [{"x": "\u0000"}]}}, "/body/fixes/0/attributes"),
        ({"temperatures": [{"channel": "A\u0000"}]}, "/body/fixes/0/temperatures/0/channel"),
    ],
)
async def test_nul_characters_are_refused_since_no_database_can_store_them(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]], overrides: dict[str, Any], pointer: str
) -> None:
    client, published = gateway
    response = await client.post("/v1/telemetry/gps", json={"fixes": [fix(**overrides)]})
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert published == []


async def test_nul_in_any_other_json_body_is_a_422_problem_before_the_route(make_app: AppFactory) -> None:
    app = make_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=AUTH
    ) as client:
        response = await client.post(
            "/v1/admin/device-tokens",
            content=b'{"name": "x\\u0000", "device_ids": ["d1"]}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "U+0000" in response.json()["title"]


async def test_a_boolean_where_a_number_belongs_is_refused(
    gateway: tuple[httpx.AsyncClient, list[tuple[bytes, bytes]]],
) -> None:
    client, published = gateway
    body = {"fixes": [fix(temperatures=[{"channel": "A", "setpoint_celsius": True}])]}
    response = await client.post("/v1/telemetry/gps", json=body)
    assert response.status_code == 422
    assert "/body/fixes/0/temperatures/0/setpoint_celsius" in response.text
    assert published == []


async def test_a_fix_over_the_size_limit_refuses_the_whole_batch(make_app: AppFactory) -> None:
    app = make_app(max_fix_bytes=4096)
    published: list[bytes] = []

    @app.state.broker.subscriber(TELEMETRY_RAW.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append(msg.raw_message.value)

    async with TestKafkaBroker(app.state.broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=AUTH) as client:
            batch = {"fixes": [fix("a"), fix("b", attributes={"blob": "x" * 5000}), fix("c")]}
            response = await client.post("/v1/telemetry/gps", json=batch)
            just_fits = await client.post(
                "/v1/telemetry/gps", json={"fixes": [fix("a", attributes={"blob": "x" * 3000})]}
            )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/body/fixes/1"]
    assert "limit is 4096" in response.json()["detail"]
    assert just_fits.status_code == 202
    assert len(published) == 1, "only the fix that fits, from the second batch"
