"""The reference figure of `make bench-telemetry`: bare aiokafka producing and consuming raw fixes."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from benchsystem import log

from coldchain_contracts import RawFix, RawFixReceived

SEOUL = (37.5665, 126.9780)


async def bare_kafka(bootstrap: str, n: int) -> float:
    topic = f"bench.bare.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])
        now = datetime.now(UTC)
        payloads = [
            (
                f"bare-{i % 2000}".encode(),
                RawFixReceived(
                    device_id=f"bare-{i % 2000}",
                    received_at=now,
                    fix=RawFix(device_time=now, latitude=SEOUL[0], longitude=SEOUL[1], speed=36.0),
                    producer="gateway",
                )
                .model_dump_json()
                .encode(),
            )
            for i in range(n)
        ]
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
        await producer.start()
        await consumer.start()
        try:
            started = time.perf_counter()

            async def produce() -> None:
                pending = [await producer.send(topic, value, key=key) for key, value in payloads]
                await asyncio.gather(*pending)

            async def consume() -> None:
                seen = 0
                while seen < n:
                    batches = await consumer.getmany(timeout_ms=200, max_records=5000)
                    seen += sum(len(records) for records in batches.values())

            await asyncio.gather(produce(), consume())
            elapsed = time.perf_counter() - started
        finally:
            await producer.stop()
            await consumer.stop()
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    rate = n / elapsed
    log(f"bare kafka: {n} messages produced and consumed in {elapsed:.1f} s = {rate:,.0f} msg/s")
    return rate
