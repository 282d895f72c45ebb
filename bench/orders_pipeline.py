"""Orders pipeline benchmark: PlaceOrder commands on Kafka to OrderAccepted events on Kafka.

    eval "$(python3 deploy/local/infra.py env)" && .venv/bin/python bench/orders_pipeline.py [--orders N]

Runs the orders service in-process (its own consumer group and a fresh database) on the
local Kafka and PostgreSQL, publishes N PlaceOrder commands at once, and reads
`orders.events.v1` until every order's OrderAccepted arrived. The path measured is the
whole write side: consume, validate against sites, one transaction per batch (inbox,
state, history, outbox), relay, Kafka. Prints throughput and per-order latency (command
sent to event read) and a final `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from coldchain_contracts import OrderSpec, PlaceOrder
from coldchain_contracts.topics import (
    DISPATCH_ASSIGNMENTS,
    ORDERS_COMMANDS,
    ORDERS_EVENTS,
    TRACKING_EVENTS,
    dlq_topic,
)
from coldchain_devtools.topics import ensure_topics
from coldchain_orders.app import SCHEMA_DEF, create_app
from coldchain_orders.settings import OrdersSettings
from coldchain_orders.sites import write_site
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN
from coldchain_servicekit.migrations import upgrade_async


def order(pickup: str, dropoff: str, day: datetime) -> PlaceOrder:
    spec = OrderSpec.model_validate(
        {
            "order_number": f"B-{uuid.uuid4().hex[:12]}",
            "zone": "chilled",
            "pallets": 4,
            "weight_kg": 400,
            "requested_date": day.date(),
            "pickup": {"site_id": pickup, "window": {"start": day, "end": day + timedelta(hours=2)}},
            "dropoff": {
                "site_id": dropoff,
                "window": {"start": day + timedelta(hours=3), "end": day + timedelta(hours=5)},
            },
        }
    )
    return PlaceOrder(order_id=uuid.uuid4(), order=spec, producer="bench")


async def skip_history(kafka: str, group: str) -> None:
    """Commit the end of the command topic for the bench's group: only this run's commands count."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(ORDERS_COMMANDS.name, p) for p in range(ORDERS_COMMANDS.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


async def run(count: int) -> dict[str, float]:
    kafka = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    admin_url = os.environ["DATABASE_URL"]
    await ensure_topics(kafka)
    name = f"orders_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    database = admin_url.rsplit("/", 1)[0] + "/" + name
    await upgrade_async(database, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
    settings = OrdersSettings(
        service_name=f"orders-bench-{uuid.uuid4().hex[:6]}",
        kafka_bootstrap_servers=kafka,
        database_url=database,
        migrate_on_start=False,
        log_level="WARNING",
        internal_token=SecretStr(DEV_INTERNAL_TOKEN),
    )
    # Its own dead-letter topics: the shared command topic may hold poison records from tests.
    dead_letters = [
        dlq_topic(t.name, settings.service_name)
        for t in (ORDERS_COMMANDS, DISPATCH_ASSIGNMENTS, TRACKING_EVENTS)
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    await admin.create_topics([NewTopic(t, 1, 1) for t in dead_letters])
    await skip_history(kafka, settings.service_name)
    app = create_app(settings)
    day = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            async with app.state.engine.begin() as tx:
                for site_id, role in (("BENCH-P", "pickup"), ("BENCH-D", "dropoff")):
                    fields = {"latitude": 37.5, "longitude": 127.0, "role": role}
                    await write_site(tx, site_id, fields, partial=False, now=datetime.now(UTC))
            commands = [order("BENCH-P", "BENCH-D", day) for _ in range(count)]
            wanted = {str(c.order_id).encode() for c in commands}
            consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
            await consumer.start()
            partitions = [TopicPartition(ORDERS_EVENTS.name, p) for p in range(ORDERS_EVENTS.partitions)]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)
            producer = AIOKafkaProducer(
                bootstrap_servers=kafka, acks="all", enable_idempotence=True, linger_ms=5
            )
            await producer.start()
            await asyncio.sleep(3)  # let the service's consumer groups settle before the clock starts
            sent_at: dict[bytes, float] = {}
            started = time.monotonic()
            futures = []
            for c in commands:
                key = str(c.order_id).encode()
                sent_at[key] = time.monotonic()
                futures.append(
                    await producer.send(ORDERS_COMMANDS.name, c.model_dump_json().encode(), key=key)
                )
            await asyncio.gather(*futures)
            await producer.stop()
            latencies: list[float] = []
            deadline = time.monotonic() + 300
            while wanted and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    for r in records:
                        if r.key in wanted and b'"OrderAccepted"' in r.value:
                            wanted.discard(r.key)
                            latencies.append(time.monotonic() - sent_at[r.key])
            elapsed = time.monotonic() - started
            await consumer.stop()
            if wanted:
                raise SystemExit(f"{len(wanted)} orders not accepted within 300 s")
    finally:
        await admin.delete_topics(dead_letters)
        await admin.close()
        conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
    latencies.sort()
    return {
        "orders": count,
        "elapsed_s": round(elapsed, 3),
        "orders_per_s": round(count / elapsed, 1),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "latency_max_s": round(latencies[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(run(args.orders))
    print(
        f"{result['orders']} orders accepted in {result['elapsed_s']} s ({result['orders_per_s']}/s); "
        f"latency p50 {result['latency_p50_s']} s, p95 {result['latency_p95_s']} s, max {result['latency_max_s']} s"
    )
    print("RESULT " + json.dumps({"bench": "orders_pipeline", **result}))


if __name__ == "__main__":
    main()
