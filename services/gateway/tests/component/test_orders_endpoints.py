"""Order writes at the gateway against FastStream's in-memory broker: validation, commands
keyed by order id, and idempotency keys that make a retry the same order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts import AnyOrderCommand, PlaceOrder
from coldchain_contracts.topics import ORDERS_COMMANDS
from coldchain_devtools.testing import free_port
from coldchain_gateway.security.permissions import ROLE_PERMISSIONS, Role
from coldchain_gateway.security.principal import Principal

from .conftest import AUTH, AppFactory

DISPATCHER = Principal(
    "test-dispatcher", "user", "dispatcher", ROLE_PERMISSIONS[Role.DISPATCHER], role=Role.DISPATCHER
)

pytestmark = pytest.mark.component
COMMAND: TypeAdapter[AnyOrderCommand] = TypeAdapter(AnyOrderCommand)
Published = list[tuple[bytes, AnyOrderCommand]]


def order(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_number": "PO-1",
        "zone": "frozen",
        "pallets": 6,
        "weight_kg": 540,
        "requested_date": "2026-12-01",
        "pickup": {
            "site_id": "P",
            "window": {"start": "2026-12-01T06:00:00+09:00", "end": "2026-12-01T08:00:00+09:00"},
        },
        "dropoff": {
            "site_id": "D",
            "window": {"start": "2026-12-01T09:00:00+09:00", "end": "2026-12-01T11:00:00+09:00"},
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
async def gateway(make_app: AppFactory) -> AsyncIterator[tuple[httpx.AsyncClient, Published]]:
    app = make_app(DISPATCHER, orders_url=f"http://127.0.0.1:{free_port()}")
    published: Published = []

    @app.state.broker.subscriber(ORDERS_COMMANDS.name)
    async def capture(msg: KafkaMessage) -> None:
        published.append((msg.raw_message.key, COMMAND.validate_json(msg.raw_message.value)))

    transport = httpx.ASGITransport(app=app)
    async with (
        TestKafkaBroker(app.state.broker),
        httpx.AsyncClient(transport=transport, base_url="http://gw", headers=AUTH) as client,
    ):
        yield client, published


async def test_an_order_becomes_a_place_command_keyed_by_its_id(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = gateway
    response = await client.post("/v1/orders", json=order())
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status_url"] == f"/v1/orders/{body['order_id']}"
    assert response.headers["location"] == body["status_url"]
    [(key, command)] = published
    assert isinstance(command, PlaceOrder)
    assert key == body["order_id"].encode()
    assert (str(command.order_id), str(command.event_id)) == (body["order_id"], body["command_id"])
    assert command.order.pickup.window.start == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
    assert (command.requested_by, command.operator_id) == ("user:test-dispatcher", "default")


async def test_a_batch_is_one_command_per_order(gateway: tuple[httpx.AsyncClient, Published]) -> None:
    client, published = gateway
    response = await client.post(
        "/v1/orders", json={"orders": [order(order_number="A"), order(order_number="B")]}
    )
    assert response.status_code == 202, response.text
    ids = [o["order_id"] for o in response.json()["orders"]]
    assert len(set(ids)) == 2
    assert [k.decode() for k, _ in published] == ids


async def test_a_retry_with_the_same_idempotency_key_is_the_same_order_and_command(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = gateway
    key = str(uuid.uuid4())
    first = (await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": key})).json()
    again = (await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": key})).json()
    other = (await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": key + "x"})).json()
    assert first == again, "every gateway replica derives the same ids from the key"
    assert other["order_id"] != first["order_id"]
    assert published[0][1].event_id == published[1][1].event_id, "the orders inbox drops the second"


async def test_a_replica_with_no_shared_state_derives_the_same_ids(make_app: AppFactory) -> None:
    key = "k-1"
    answers = []
    for _ in range(2):  # two independent gateway apps
        app = make_app(DISPATCHER)
        async with TestKafkaBroker(app.state.broker):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=AUTH) as client:
                answers.append(
                    (await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": key})).json()
                )
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (order(pallets=0), "/body/pallets"),
        (order(zone="warm"), "/body/zone"),
        (order(surprise=1), "/body/surprise"),
        (
            order(
                dropoff={
                    "site_id": "D",
                    "gate": 3,
                    "window": {"start": "2026-12-01T09:00:00Z", "end": "2026-12-01T10:00:00Z"},
                }
            ),
            "/body/dropoff/gate",
        ),
        (
            order(pickup={"window": {"start": "2026-12-01T06:00:00Z", "end": "2026-12-01T08:00:00Z"}}),
            "/body/pickup",
        ),
        ({"orders": [order(), order(weight_kg=-1)]}, "/body/orders/1/weight_kg"),
        ({"orders": []}, "/body/orders"),
    ],
)
async def test_an_invalid_order_is_a_422_problem_and_publishes_nothing(
    gateway: tuple[httpx.AsyncClient, Published], body: dict[str, Any], pointer: str
) -> None:
    client, published = gateway
    response = await client.post("/v1/orders", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert published == []


async def test_amend_cancel_and_fail_are_commands_for_that_order(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, published = gateway
    order_id = str(uuid.uuid4())
    assert (await client.patch(f"/v1/orders/{order_id}", json={"pallets": 7})).status_code == 202
    assert (
        await client.post(f"/v1/orders/{order_id}/cancel", json={"reason": "customer"})
    ).status_code == 202
    assert (await client.post(f"/v1/orders/{order_id}/fail")).status_code == 202
    assert [(k.decode(), c.event_type) for k, c in published] == [
        (order_id, "AmendOrder"),
        (order_id, "CancelOrder"),
        (order_id, "FailOrder"),
    ]
    assert (await client.patch(f"/v1/orders/{order_id}", json={})).status_code == 422, "nothing to change"


async def test_orders_service_unreachable_is_a_503_problem(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, _ = gateway
    for path in ("/v1/orders", f"/v1/orders/{uuid.uuid4()}", "/v1/sites", "/v1/sites/ICN"):
        response = await client.get(path)
        assert response.status_code == 503, path
        assert response.json()["title"] == "Orders service unavailable"


async def test_an_upload_that_is_not_csv_or_xlsx_is_refused(
    gateway: tuple[httpx.AsyncClient, Published],
) -> None:
    client, _ = gateway
    response = await client.post(
        "/v1/orders/import", files={"file": ("orders.pdf", b"%PDF", "application/pdf")}
    )
    assert response.status_code == 415
