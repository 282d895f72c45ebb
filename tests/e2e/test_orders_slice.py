"""An order travels gateway → orders.commands → orders → outbox → orders.events, on the real
system, and is read back through the gateway; sites and imports go through the gateway too."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from coldchain_contracts.topics import FLEET_SITES, ORDERS_COMMANDS, ORDERS_EVENTS, dlq_topic
from coldchain_devtools.testing import (
    Infra,
    RunningSystem,
    dev_key_headers,
    eventually,
    find_record,
    records_with_key,
)
from coldchain_gateway.db import credentials
from coldchain_gateway.idempotency import ids_for
from coldchain_servicekit.db import make_engine

pytestmark = pytest.mark.e2e
TOMORROW = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
async def gateway(running_system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=30, headers=dev_key_headers()
    ) as client:
        yield client


async def sites(gateway: httpx.AsyncClient) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:6]
    pickup, dropoff = f"HUB-{tag}", f"STORE-{tag}"
    for site_id, role in ((pickup, "pickup"), (dropoff, "dropoff")):
        body = {
            "name": site_id,
            "latitude": 37.5,
            "longitude": 127.0,
            "role": role,
            "zones": ["frozen", "chilled"],
        }
        response = await gateway.put(f"/v1/sites/{site_id}", json=body)
        assert response.status_code == 201, response.text
    return pickup, dropoff


def order(pickup: str, dropoff: str) -> dict[str, Any]:
    return {
        "order_number": f"E2E-{uuid.uuid4().hex[:8]}",
        "zone": "frozen",
        "pallets": 6,
        "weight_kg": 540,
        "goods": "ice cream",
        "requested_date": TOMORROW.date().isoformat(),
        "pickup": {
            "site_id": pickup,
            "window": {"start": TOMORROW.isoformat(), "end": (TOMORROW + timedelta(hours=2)).isoformat()},
        },
        "dropoff": {
            "site_id": dropoff,
            "window": {
                "start": (TOMORROW + timedelta(hours=3)).isoformat(),
                "end": (TOMORROW + timedelta(hours=5)).isoformat(),
            },
        },
    }


async def status_is(gateway: httpx.AsyncClient, order_id: str, status: str) -> dict[str, Any] | None:
    response = await gateway.get(f"/v1/orders/{order_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body if body["status"] == status else None


async def test_an_order_placed_through_the_gateway_is_accepted_once(
    gateway: httpx.AsyncClient, infra: Infra
) -> None:
    pickup, dropoff = await sites(gateway)
    body, key = order(pickup, dropoff), str(uuid.uuid4())
    first = await gateway.post("/v1/orders", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 202, first.text
    retry = await gateway.post("/v1/orders", json=body, headers={"Idempotency-Key": key})
    assert retry.json() == first.json(), "a retried POST is the same order"
    order_id = first.json()["order_id"]
    started = time.monotonic()

    accepted = await find_record(
        infra.kafka,
        ORDERS_EVENTS.name,
        lambda r: r.key == order_id.encode() and json.loads(r.value)["event_type"] == "OrderAccepted",
        timeout_s=30,
    )
    assert json.loads(accepted.value)["order"]["order_number"] == body["order_number"]
    seen = await eventually(lambda: status_is(gateway, order_id, "accepted"), timeout_s=15)
    print(f"order accepted and visible through the gateway {time.monotonic() - started:.3f}s after the 202")
    assert [e["event_type"] for e in seen["events"]] == ["OrderReceived", "OrderAccepted"]

    listed = (
        await gateway.get("/v1/orders", params={"q": body["order_number"], "status": "accepted"})
    ).json()
    assert [o["order_id"] for o in listed["items"]] == [order_id]

    assert (await gateway.post(f"/v1/orders/{order_id}/cancel", json={"reason": "e2e"})).status_code == 202
    cancelled = await eventually(lambda: status_is(gateway, order_id, "cancelled"), timeout_s=15)
    assert cancelled["version"] == 3
    refused = await gateway.post(f"/v1/orders/{order_id}/fail")
    assert refused.status_code == 202

    async def refusal_recorded() -> dict[str, Any] | None:
        events = (await gateway.get(f"/v1/orders/{order_id}")).json()["events"]
        return events[-1] if events[-1]["event_type"] == "OrderCommandRefused" else None

    refusal = await eventually(refusal_recorded, timeout_s=15)
    assert "cancelled cannot become failed" in refusal["reason"]
    records = await records_with_key(
        infra.kafka, ORDERS_EVENTS.name, order_id.encode(), lambda f: len(f) >= 4
    )
    assert [json.loads(r.value)["event_type"] for r in records] == [
        "OrderReceived",
        "OrderAccepted",
        "OrderCancelled",
        "OrderCommandRefused",
    ]


async def test_an_order_for_an_unknown_site_is_rejected_with_the_reason(gateway: httpx.AsyncClient) -> None:
    _, dropoff = await sites(gateway)
    response = await gateway.post("/v1/orders", json=order("NO-SUCH-SITE", dropoff))
    order_id = response.json()["order_id"]
    rejected = await eventually(lambda: status_is(gateway, order_id, "rejected"), timeout_s=15)
    assert rejected["rejection_reasons"] == ["unknown_site"]


async def test_sites_are_written_through_the_gateway_and_published(
    gateway: httpx.AsyncClient, infra: Infra
) -> None:
    pickup, _ = await sites(gateway)
    record = await find_record(
        infra.kafka, FLEET_SITES.name, lambda r: r.key == pickup.encode(), timeout_s=30
    )
    assert json.loads(record.value)["role"] == "pickup"
    assert (await gateway.get(f"/v1/sites/{pickup}")).json()["code"] == pickup
    invalid = await gateway.put("/v1/sites/X", json={"latitude": 100, "longitude": 0})
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"


async def test_an_import_through_the_gateway_reports_each_row(gateway: httpx.AsyncClient) -> None:
    pickup, dropoff = await sites(gateway)
    template = await gateway.get("/v1/orders/import/template.csv")
    assert template.status_code == 200
    header = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert header[:3] == ["order_number", "requested_date", "zone"]
    xlsx = await gateway.get("/v1/sites/import/template.xlsx")
    assert xlsx.content[:2] == b"PK", "an .xlsx is a zip"
    day = TOMORROW.date().isoformat()
    rows = [
        "order_number,requested_date,zone,pallets,weight_kg,pickup_site,pickup_from,pickup_to,dropoff_site,dropoff_from,dropoff_to",
        f"IMP-{uuid.uuid4().hex[:6]},{day},frozen,4,400,{pickup},06:00,08:00,{dropoff},09:00,11:00",
        f"IMP-{uuid.uuid4().hex[:6]},{day},frozen,4,400,NOPE,06:00,08:00,{dropoff},09:00,11:00",
    ]
    response = await gateway.post(
        "/v1/orders/import", files={"file": ("orders.csv", "\n".join(rows).encode(), "text/csv")}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert [a["line"] for a in report["accepted"]] == [2]
    assert [(r["line"], r["codes"]) for r in report["rejected"]] == [(3, ["unknown_site"])]
    order_id = report["accepted"][0]["order_id"]
    await eventually(lambda: status_is(gateway, order_id, "accepted"), timeout_s=15)


async def dev_key_principal(database_url: str) -> str:
    """How the gateway names the dev integration key when it derives ids (`<kind>:<id>`)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            key_id = (
                await conn.execute(
                    select(credentials.c.id).where(credentials.c.name == "dev ingest key (simulator)")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    return f"integration:{key_id}"


async def test_a_poison_command_is_dead_lettered_and_the_next_order_still_accepted(
    gateway: httpx.AsyncClient, infra: Infra, kafka_producer: AIOKafkaProducer, running_system: RunningSystem
) -> None:
    pickup, dropoff = await sites(gateway)
    idempotency_key = str(uuid.uuid4())
    principal = await dev_key_principal(running_system.database_url)
    order_id, _ = ids_for(principal, idempotency_key, "place", "")
    # Keyed like the order that follows, so it sits ahead of it on the same partition.
    poison = b'{"event_type": "PlaceOrder", "order_id": "not-a-uuid"}'
    await kafka_producer.send_and_wait(ORDERS_COMMANDS.name, poison, key=str(order_id).encode())
    response = await gateway.post(
        "/v1/orders", json=order(pickup, dropoff), headers={"Idempotency-Key": idempotency_key}
    )
    assert response.json()["order_id"] == str(order_id)
    await eventually(lambda: status_is(gateway, str(order_id), "accepted"), timeout_s=15)
    dead = await find_record(
        infra.kafka, dlq_topic(ORDERS_COMMANDS.name, "orders"), lambda r: r.value == poison
    )
    assert dict(dead.headers)["x-dlq-reason"] == b"contract_violation"
