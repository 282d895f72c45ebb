"""Helpers of the orders integration tests: settings for an in-process service, sites, commands,
and reading an order's events back from Kafka."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from coldchain_contracts import OrderSpec, PlaceOrder
from coldchain_contracts.orders import OrderCommand
from coldchain_contracts.topics import ORDERS_COMMANDS, ORDERS_EVENTS
from coldchain_devtools.testing import Infra, records_with_key
from coldchain_orders.settings import OrdersSettings

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def settings(infra: Infra, database: str, group: str, **overrides: Any) -> OrdersSettings:
    return OrdersSettings(
        service_name=group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=database,
        migrate_on_start=False,
        relay_idle_s=0.05,
        retry_base_delay_s=0.2,
        retry_max_delay_s=1.0,
        **overrides,
    )


@dataclass
class Running:
    app: FastAPI
    http: httpx.AsyncClient


async def put_sites(http: httpx.AsyncClient) -> tuple[str, str]:
    pickup, dropoff = f"P-{uuid.uuid4().hex[:6]}", f"D-{uuid.uuid4().hex[:6]}"
    for site_id, role in ((pickup, "pickup"), (dropoff, "dropoff")):
        response = await http.put(
            f"/v1/sites/{site_id}", json={"latitude": 37.5, "longitude": 127.0, "role": role}
        )
        assert response.status_code == 201, response.text
    return pickup, dropoff


def place(pickup: str, dropoff: str, number: str | None = None) -> PlaceOrder:
    order = OrderSpec.model_validate(
        {
            "order_number": number or f"PO-{uuid.uuid4().hex[:8]}",
            "zone": "chilled",
            "pallets": 4,
            "weight_kg": 400,
            "requested_date": TOMORROW.date(),
            "pickup": {
                "site_id": pickup,
                "window": {"start": TOMORROW, "end": TOMORROW + timedelta(hours=2)},
            },
            "dropoff": {
                "site_id": dropoff,
                "window": {"start": TOMORROW + timedelta(hours=3), "end": TOMORROW + timedelta(hours=5)},
            },
        }
    )
    return PlaceOrder(order_id=uuid.uuid4(), order=order, producer="test")


async def send(producer: AIOKafkaProducer, *commands: OrderCommand) -> None:
    for command in commands:
        await producer.send_and_wait(
            ORDERS_COMMANDS.name, command.model_dump_json().encode(), key=str(command.order_id).encode()
        )


def types_of(records: list[Any]) -> list[str]:
    return [json.loads(r.value)["event_type"] for r in records]


async def events_of(
    infra: Infra, order_id: uuid.UUID, last: str, timeout_s: float = 30
) -> list[dict[str, Any]]:
    records = await records_with_key(
        infra.kafka,
        ORDERS_EVENTS.name,
        str(order_id).encode(),
        lambda found: bool(found) and last in types_of(found),
        timeout_s=timeout_s,
    )
    return [json.loads(r.value) for r in records]


async def skip_history(bootstrap: str, group: str, topic: str, partitions: int) -> None:
    """Commit the end of `topic` for `group`: its consumers see only what is sent from now on
    (Kafka state persists across test sessions, and replaying it all would only cost time)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_end(*assigned)
        await consumer.commit({tp: await consumer.position(tp) for tp in assigned})
    finally:
        await consumer.stop()
