"""Dispatch routes at the gateway: plan requests and breakdowns become commands on
dispatch.commands.v1 (FastStream's in-memory broker), plan reads are proxied to dispatch."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts.dispatch import AnyDispatchCommand, ReportBreakdown, RequestPlan, derived_plan_id
from coldchain_contracts.topics import DISPATCH_COMMANDS
from coldchain_gateway.security.permissions import ROLE_PERMISSIONS, Role
from coldchain_gateway.security.principal import Principal

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component
DISPATCHER = Principal(
    "test-dispatcher", "user", "dispatcher", ROLE_PERMISSIONS[Role.DISPATCHER], role=Role.DISPATCHER
)
VIEWER = Principal("test-viewer", "user", "viewer", ROLE_PERMISSIONS[Role.VIEWER], role=Role.VIEWER)
COMMAND: TypeAdapter[AnyDispatchCommand] = TypeAdapter(AnyDispatchCommand)
Published = list[tuple[bytes, AnyDispatchCommand]]
PLAN = {"plan_id": str(uuid.uuid4()), "status": "done", "kpis": {"orders_served": 3}}
seen: list[httpx.Request] = []


def dispatch_stub(request: httpx.Request) -> httpx.Response:
    seen.append(request)
    if request.url.path == f"/v1/plans/{PLAN['plan_id']}":
        return httpx.Response(200, json=PLAN)
    if request.url.path == "/v1/plans":
        return httpx.Response(200, json={"plans": [PLAN]})
    return httpx.Response(
        404, json={"title": "No plan", "status": 404}, headers={"content-type": "application/problem+json"}
    )


async def client_for(make_app: AppFactory, principal: Principal, published: Published) -> Any:
    app = make_app(principal)
    app.state.dispatch = httpx.AsyncClient(transport=httpx.MockTransport(dispatch_stub), base_url="http://d")

    @app.state.broker.subscriber(DISPATCH_COMMANDS.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append((msg.raw_message.key, COMMAND.validate_json(msg.raw_message.value)))

    return app


@pytest.fixture
async def gateway(make_app: AppFactory) -> AsyncIterator[tuple[httpx.AsyncClient, Published]]:
    published: Published = []
    app = await client_for(make_app, DISPATCHER, published)
    async with (
        TestKafkaBroker(app.state.broker),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=AUTH
        ) as client,
    ):
        yield client, published


BODY = {
    "horizon_start": "2026-12-01T00:00:00+09:00",
    "horizon_end": "2026-12-02T00:00:00+09:00",
    "engine": "greedy",
    "time_limit_s": 5,
    "seed": 7,
}


async def test_a_plan_request_becomes_a_request_plan_command(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = gateway
    response = await client.post("/v1/dispatch/plans", json=BODY)
    assert response.status_code == 202, response.text
    body = response.json()
    [(key, command)] = published
    assert isinstance(command, RequestPlan)
    assert key == str(command.event_id).encode()
    assert (str(command.plan_id), str(command.event_id)) == (body["plan_id"], body["command_id"])
    assert body["status_url"] == f"/v1/dispatch/plans/{body['plan_id']}" == response.headers["location"]
    assert (command.engine.value, command.time_limit_s, command.seed) == ("greedy", 5, 7)
    assert command.horizon_start.isoformat() == "2026-11-30T15:00:00+00:00"
    assert command.requested_by == "user:test-dispatcher"


@pytest.mark.parametrize(
    "change",
    [
        {"horizon_end": "2026-11-30T00:00:00+09:00"},  # before the start
        {"horizon_start": "2026-12-01T00:00:00"},  # no offset
        {"engine": "quantum"},
        {"time_limit_s": 0},
        {"surprise": 1},
    ],
)
async def test_an_invalid_plan_request_is_a_422_and_publishes_nothing(
    gateway: tuple[httpx.AsyncClient, Published], change: dict[str, Any]
) -> None:
    client, published = gateway
    response = await client.post("/v1/dispatch/plans", json={**BODY, **change})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert published == []


async def test_a_breakdown_becomes_a_command_and_names_the_plan_it_will_make(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = gateway
    response = await client.post("/v1/dispatch/vehicles/TRUCK-7/breakdown", json={"detail": "flat tyre"})
    assert response.status_code == 202, response.text
    [(_, command)] = published
    assert isinstance(command, ReportBreakdown)
    assert (command.vehicle_id, command.detail) == ("TRUCK-7", "flat tyre")
    assert response.json()["plan_id"] == str(derived_plan_id("breakdown", command.event_id))
    without_body = await client.post("/v1/dispatch/vehicles/TRUCK-7/breakdown")
    assert without_body.status_code == 202


async def test_plan_reads_are_proxied_to_dispatch(gateway: tuple[httpx.AsyncClient, Published]) -> None:
    client, _ = gateway
    one = await client.get(f"/v1/dispatch/plans/{PLAN['plan_id']}")
    assert (one.status_code, one.json()) == (200, PLAN)
    listed = await client.get("/v1/dispatch/plans", params={"limit": 5})
    assert listed.json() == {"plans": [PLAN]}
    assert seen[-1].url.params["limit"] == "5"
    missing = await client.get(f"/v1/dispatch/plans/{uuid.uuid4()}")
    assert missing.status_code == 404


async def test_a_viewer_reads_plans_but_cannot_request_one(make_app: AppFactory) -> None:
    published: Published = []
    app = await client_for(make_app, VIEWER, published)
    async with (
        TestKafkaBroker(app.state.broker),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=AUTH
        ) as client,
    ):
        assert (await client.post("/v1/dispatch/plans", json=BODY)).status_code == 403
        assert (await client.post("/v1/dispatch/vehicles/T/breakdown")).status_code == 403
        assert (await client.get("/v1/dispatch/plans")).status_code == 200
    assert published == []
