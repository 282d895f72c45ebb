"""Bad input the attack run found answered with 5xx, each now a 422 problem at the gateway,
before anything reaches a service or Kafka."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_gateway.json_bounds import MAX_DEPTH
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component
EVERYTHING = Principal("test-all", "integration", "component tests", frozenset(Permission))


def nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


@dataclass
class Door:
    client: httpx.AsyncClient
    upstream_calls: list[httpx.Request] = field(default_factory=list)
    published: list[bytes] = field(default_factory=list)


@pytest.fixture
async def door(make_app: AppFactory) -> AsyncIterator[Door]:
    app = make_app(EVERYTHING)
    calls: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={})

    for name in ("tracking", "orders", "dispatch", "ingest"):
        setattr(
            app.state, name, httpx.AsyncClient(transport=httpx.MockTransport(upstream), base_url="http://up")
        )
    published: list[bytes] = []

    @app.state.broker.subscriber(TELEMETRY_RAW.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append(msg.raw_message.value)

    async with TestKafkaBroker(app.state.broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=AUTH) as client:
            yield Door(client, calls, published)


def as_json(body: Any) -> dict[str, Any]:
    """Escaped as JSON puts it on the wire (a lone surrogate as `\\ud800`), which httpx's own
    encoder cannot do."""
    return {"content": json.dumps(body), "headers": {"content-type": "application/json"}}


def fix(**extra: Any) -> dict[str, Any]:
    return {"device_id": "d1", "time": "2026-11-26T09:30:00Z", "latitude": 37.5, "longitude": 127.0, **extra}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/orders", {"q": "frozen\x00fish"}),
        ("/v1/orders", {"site": "ICN\x00"}),
        ("/v1/orders", {"vehicle": "truck\x001"}),
        ("/v1/orders", {"offset": 10**30}),
        ("/v1/sites", {"q": "\x00"}),
        ("/v1/sites", {"offset": 10**30}),
        ("/v1/vehicles/truck-1/temperatures", {"channel": "A\x00"}),
        ("/v1/vehicles/truck-1/positions", {"cursor": "eyJh\x00"}),
        ("/v1/vehicles/truck-1/trips", {"cursor": "not a cursor!"}),
        ("/v1/vehicles", {"cursor": "truck\x00"}),
    ],
)
async def test_bad_query_parameters_are_422_and_never_forwarded(
    door: Door, path: str, params: dict[str, Any]
) -> None:
    response = await door.client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert door.upstream_calls == []


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"x": nested(300)}, "levels deep"),
        ({"x": nested(200)}, "levels deep"),  # accepted before, then dead-lettered by ingest
        ({"x": nested(MAX_DEPTH)}, "levels deep"),  # the attributes object is a level itself
        ({"x": "\ud800"}, "surrogate"),
        ({"\udfff": 1}, "surrogate"),
        ({"x": [["deep", "\ud800"]]}, "surrogate"),
    ],
)
async def test_fix_attributes_that_cannot_travel_are_422_and_nothing_is_published(
    door: Door, attributes: dict[str, Any], reason: str
) -> None:
    response = await door.client.post("/v1/telemetry/gps", **as_json({"fixes": [fix(attributes=attributes)]}))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/body/fixes/0/attributes"
    assert reason in response.json()["detail"]
    assert door.published == []


async def test_attributes_at_the_depth_limit_are_accepted(door: Door) -> None:
    response = await door.client.post(
        "/v1/telemetry/gps", json={"fixes": [fix(attributes={"x": nested(MAX_DEPTH - 1)})]}
    )
    assert response.status_code == 202, response.text
    assert len(door.published) == 1


@pytest.mark.parametrize("body", [{"name": "\ud800"}, {"name": "x", "notes": nested(300)}])
async def test_a_site_body_that_cannot_travel_is_422_and_never_forwarded(
    door: Door, body: dict[str, Any]
) -> None:
    response = await door.client.put("/v1/sites/ICN-1", **as_json(body))
    assert response.status_code == 422, response.text
    assert door.upstream_calls == []
