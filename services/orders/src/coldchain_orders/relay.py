"""The outbox relay: rows written with a state change are published to Kafka, then deleted.

One round, in one transaction: claim rows with `FOR UPDATE SKIP LOCKED`, publish them
(enqueued in id order, acknowledgements awaited together), delete them, commit. A
crash before the commit leaves the rows, so they are published by the next round (of
this or another replica): nothing committed is ever lost. A crash after Kafka
acknowledged but before the commit publishes those rows again, with the same
`event_id`; consumers dedupe on it (at-least-once, like every topic here).

Order per key: a round claims only rows that are the oldest remaining row of their
key. Rows of one key get increasing ids in commit order, because every writer holds
the entity's row lock while it inserts them; so a later event of an order is never
claimed (by any replica) while an earlier one is still in the table, and events of one
order reach their partition in the order they were written.

A row with a null payload is a tombstone (a deleted vehicle): it is published with a
null value, which compaction reads as "remove this key".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_orders.db import SCHEMA
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
RELAYED = Counter("orders_outbox_relayed_total", "Outbox rows published to Kafka", ["topic"])
RELAY_FAILURES = Counter("orders_outbox_relay_failures_total", "Relay rounds rolled back")

_CLAIM = text(
    f"""
    SELECT o.id, o.topic, o.key, o.headers, o.payload
    FROM {SCHEMA}.outbox AS o
    WHERE NOT EXISTS (
        SELECT 1 FROM {SCHEMA}.outbox AS earlier
        WHERE earlier.topic = o.topic AND earlier.key = o.key AND earlier.id < o.id
    )
    ORDER BY o.id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_DELETE = text(f"DELETE FROM {SCHEMA}.outbox WHERE id = ANY(:ids)")

Publish = Callable[[list[Outgoing]], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publish: Publish,
        *,
        batch_max: int = 500,
        idle_s: float = 0.1,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._engine = engine
        self._publish = publish
        self._batch_max = batch_max
        self._idle_s = idle_s
        self._max_backoff_s = max_backoff_s
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def to_kafka(
        cls,
        engine: AsyncEngine,
        broker: KafkaBroker,
        *,
        batch_max: int = 500,
        idle_s: float = 0.1,
        timeout_s: float = 10.0,
    ) -> OutboxRelay:
        """A relay publishing through the service's broker (`acks=all`, idempotent)."""

        async def publish(messages: list[Outgoing]) -> None:
            await asyncio.wait_for(publish_all(broker, messages), timeout_s)

        return cls(engine, publish, batch_max=batch_max, idle_s=idle_s)

    async def relay_once(self) -> int:
        """One round; returns how many rows were published (and deleted)."""
        async with self._engine.begin() as conn:
            rows = (await conn.execute(_CLAIM, {"limit": self._batch_max})).all()
            if not rows:
                return 0
            messages = [
                Outgoing(
                    topic=r.topic,
                    key=r.key,
                    value=r.payload.encode() if r.payload is not None else None,
                    headers=dict(r.headers),
                )
                for r in rows
            ]
            await self._publish(messages)
            await conn.execute(_DELETE, {"ids": [r.id for r in rows]})
        for message in messages:
            RELAYED.labels(message.topic).inc()
        return len(rows)

    async def run(self) -> None:
        backoff = self._idle_s
        while True:
            try:
                relayed = await self.relay_once()
                backoff = self._idle_s
            except Exception as exc:  # noqa: BLE001 - database or Kafka down: rows stay, retry later
                RELAY_FAILURES.inc()
                log.warning("outbox relay round failed; will retry", error=repr(exc)[:300], delay_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(self._max_backoff_s, backoff * 2)
                continue
            if relayed == 0:
                await asyncio.sleep(self._idle_s)

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="orders-outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
