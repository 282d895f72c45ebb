"""The orders service on real Kafka and PostgreSQL: idempotent commands, the outbox relay,
per-order ordering, site writes published once, and a restart after a crash (imports
are in test_orders_imports.py).

Each test runs the service in-process against a fresh database of its own, in a consumer
group of this session that starts at the end of the input topics, so it sees only the
orders placed during the session (another test's commands are consumed too, and rejected
for want of sites in that private database).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from asgi_lifespan import LifespanManager
from orders_harness import Running, events_of, place, put_sites, send, settings
from sqlalchemy import func, select

from coldchain_contracts import AmendOrder, CancelOrder, OrderChanges, PlaceOrder
from coldchain_contracts.orders import OrderCommand
from coldchain_contracts.topics import ORDERS_EVENTS
from coldchain_devtools.testing import Infra, eventually, free_port, internal_auth, records_with_key
from coldchain_orders.app import create_app
from coldchain_orders.db import outbox
from coldchain_orders.relay import OutboxRelay
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.integration


async def test_a_command_delivered_twice_creates_one_order(
    service: Running, infra: Infra, kafka_producer: AIOKafkaProducer
) -> None:
    pickup, dropoff = await put_sites(service.http)
    command = place(pickup, dropoff)
    retried_elsewhere = command.model_copy(
        update={"event_id": uuid.uuid4()}
    )  # same order id, other command id
    cancel = CancelOrder(order_id=command.order_id, reason="test", producer="test")
    await send(kafka_producer, command, command, retried_elsewhere, cancel)
    # The cancel follows the duplicates on the order's partition: once it shows, they were all consumed.
    events = await events_of(infra, command.order_id, "OrderCancelled")
    assert [e["event_type"] for e in events] == ["OrderReceived", "OrderAccepted", "OrderCancelled"]
    assert [e["version"] for e in events] == [1, 2, 3]
    body = (await service.http.get(f"/v1/orders/{command.order_id}")).json()
    assert body["status"] == "cancelled"
    assert [e["event_type"] for e in body["events"]] == ["OrderReceived", "OrderAccepted", "OrderCancelled"]
    listed = (await service.http.get("/v1/orders", params={"q": command.order.order_number})).json()
    assert listed["total"] == 1


async def published_keys(infra: Infra, key: bytes, wait_s: float = 2.0) -> int:
    """How many records of `key` the events topic holds after reading it for `wait_s`."""
    consumer = AIOKafkaConsumer(
        ORDERS_EVENTS.name, bootstrap_servers=infra.kafka, auto_offset_reset="earliest"
    )
    await consumer.start()
    found = 0
    try:
        deadline = asyncio.get_running_loop().time() + wait_s
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            found += sum(1 for records in batches.values() for r in records if r.key == key)
    finally:
        await consumer.stop()
    return found


async def test_a_relay_killed_before_publishing_loses_no_event_and_duplicates_none(
    infra: Infra, database: str, orders_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    app = create_app(settings(infra, database, orders_group, relay_enabled=False))
    engine = make_engine(database)
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://orders", headers=internal_auth()
        ) as http,
    ):
        pickup, dropoff = await put_sites(http)
        command = place(pickup, dropoff)
        amend = AmendOrder(order_id=command.order_id, changes=OrderChanges(pallets=5), producer="test")
        await send(kafka_producer, command, amend)

        async def committed() -> bool | None:
            response = await http.get(f"/v1/orders/{command.order_id}")
            return True if response.status_code == 200 and response.json()["version"] == 3 else None

        await eventually(committed, timeout_s=30)
    key = str(command.order_id).encode()
    async with engine.connect() as conn:
        pending = (
            await conn.execute(select(func.count()).select_from(outbox).where(outbox.c.key == key.decode()))
        ).scalar_one()
    assert pending == 3, "committed state, events waiting in the outbox"
    assert await published_keys(infra, key) == 0, "nothing reached Kafka yet"

    # A relay that claimed the rows and dies in the middle of publishing them.
    claimed = asyncio.Event()

    async def hang(messages: list[Outgoing]) -> None:
        claimed.set()
        await asyncio.sleep(3600)

    dying = OutboxRelay(engine, hang, idle_s=0.05)
    await dying.start()
    await asyncio.wait_for(claimed.wait(), 10)
    await dying.stop()  # killed: its transaction never commits

    broker_app = create_app(
        settings(infra, database, orders_group)
    )  # a fresh process's broker, relay included
    async with LifespanManager(broker_app, startup_timeout=60, shutdown_timeout=30):
        events = await events_of(infra, command.order_id, "OrderAmended")
        await asyncio.sleep(1.0)  # a second delivery, if any, would come now
        assert await published_keys(infra, key) == 3
    assert [(e["event_type"], e["version"]) for e in events] == [
        ("OrderReceived", 1),
        ("OrderAccepted", 2),
        ("OrderAmended", 3),
    ], "each state's event exactly once, in order"
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(outbox))).scalar_one() == 0
    await engine.dispose()


async def test_events_of_one_order_arrive_in_order_with_competing_relays(
    infra: Infra, database: str, orders_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    app = create_app(settings(infra, database, orders_group, relay_enabled=False))
    engine = make_engine(database)
    orders: list[PlaceOrder] = []
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://orders", headers=internal_auth()
        ) as http:
            pickup, dropoff = await put_sites(http)
            orders = [place(pickup, dropoff) for _ in range(8)]
            for round_ in range(3):  # interleaved: every order's amendments alternate with the others'
                commands: list[OrderCommand] = []
                for o in orders:
                    if round_ == 0:
                        commands.append(o)
                    else:
                        commands.append(
                            AmendOrder(order_id=o.order_id, changes=OrderChanges(pallets=round_ + 4))
                        )
                await send(kafka_producer, *commands)
            final = CancelOrder(order_id=orders[-1].order_id)
            await send(kafka_producer, final)

            async def all_committed() -> bool | None:
                response = await http.get(f"/v1/orders/{final.order_id}")
                return (
                    True if response.status_code == 200 and response.json()["status"] == "cancelled" else None
                )

            await eventually(all_committed, timeout_s=30)

        # Two relays compete for the same outbox, in small rounds, on one real broker.
        relay_app = create_app(settings(infra, database, orders_group, relay_enabled=False))
        async with LifespanManager(relay_app, startup_timeout=60, shutdown_timeout=30):
            broker = relay_app.state.broker
            relays = [OutboxRelay.to_kafka(engine, broker, batch_max=3, idle_s=0.01) for _ in range(2)]
            for relay in relays:
                await relay.start()
            try:
                for o in orders:
                    last = "OrderCancelled" if o.order_id == final.order_id else "OrderAmended"
                    records = await records_with_key(
                        infra.kafka,
                        ORDERS_EVENTS.name,
                        str(o.order_id).encode(),
                        lambda f, last=last: len(f) >= (5 if last == "OrderCancelled" else 4),
                        timeout_s=30,
                    )
                    versions = [json.loads(r.value)["version"] for r in records]
                    assert versions == sorted(versions) == list(range(1, len(versions) + 1)), versions
            finally:
                for relay in relays:
                    await relay.stop()
    await engine.dispose()


async def test_a_site_write_is_published_on_the_sites_topic_once_per_change(
    service: Running, infra: Infra
) -> None:
    site_id = f"S-{uuid.uuid4().hex[:6]}"
    body = {"latitude": 37.5, "longitude": 127.0, "name": "first"}
    assert (await service.http.put(f"/v1/sites/{site_id}", json=body)).status_code == 201
    assert (await service.http.put(f"/v1/sites/{site_id}", json=body)).status_code == 200, (
        "unchanged: no event"
    )
    assert (await service.http.patch(f"/v1/sites/{site_id}", json={"name": "second"})).status_code == 200
    records = await records_with_key(
        infra.kafka, "fleet.sites.v1", site_id.encode(), lambda f: any(b'"second"' in r.value for r in f)
    )
    assert [json.loads(r.value)["name"] for r in records] == ["first", "second"]
    taken = await service.http.put(f"/v1/sites/OTHER-{site_id}", json={**body, "code": site_id})
    assert taken.status_code == 409


def _start_orders(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "coldchain_orders"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def _ready(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    async def probe() -> bool | None:
        assert proc.poll() is None, f"orders exited; see {log}"
        try:
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
        except httpx.HTTPError:
            return None
        return True if response.status_code == 200 else None

    await eventually(probe, timeout_s=60, interval_s=0.2)


async def test_an_orders_process_killed_after_commit_publishes_every_event_once_on_restart(
    infra: Infra, database: str, orders_group: str, kafka_producer: AIOKafkaProducer, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "DATABASE_URL": database,
        "ORDERS_SERVICE_NAME": orders_group,
        "ORDERS_HTTP_PORT": str(port),
        "ORDERS_RELAY_IDLE_S": "0.05",
        "ORDERS_LOG_JSON": "true",
    }
    log = tmp_path / "orders.log"
    # First process: commits state changes but its relay is off, so nothing is published before the kill.
    first = _start_orders({**env, "ORDERS_RELAY_ENABLED": "false"}, log)
    try:
        await _ready(port, first, log)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=internal_auth()) as http:
            pickup, dropoff = await put_sites(http)
            command = place(pickup, dropoff)
            await send(kafka_producer, command, CancelOrder(order_id=command.order_id, reason="kill test"))

            async def committed() -> bool | None:
                response = await http.get(f"/v1/orders/{command.order_id}")
                return (
                    True if response.status_code == 200 and response.json()["status"] == "cancelled" else None
                )

            await eventually(committed, timeout_s=30)
    finally:
        first.send_signal(signal.SIGKILL)  # no shutdown hooks run
        first.wait(timeout=10)
    key = str(command.order_id).encode()
    assert await published_keys(infra, key) == 0

    second = _start_orders(env, log)
    try:
        await _ready(port, second, log)
        events = await events_of(infra, command.order_id, "OrderCancelled")
        assert [(e["event_type"], e["version"]) for e in events] == [
            ("OrderReceived", 1),
            ("OrderAccepted", 2),
            ("OrderCancelled", 3),
        ]
        await asyncio.sleep(1.0)
        assert await published_keys(infra, key) == 3, "each state's event exactly once"
    finally:
        second.terminate()
        second.wait(timeout=20)
