"""The delivery worker: leases due deliveries, sends them concurrently, records each attempt.

A failed attempt is retried with jittered exponential backoff up to `max_attempts`, then
marked failed; every failure counts against its channel, which is disabled after
`disable_after_failures` consecutive ones (its pending deliveries are cancelled). Leases
make several replicas safe: a row is claimed by one (`FOR UPDATE SKIP LOCKED`) and comes
back due if that replica dies before recording the result.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from prometheus_client import Counter, Histogram
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coldchain_contracts import utcnow
from coldchain_notify import delivery_log
from coldchain_notify.domain import retry_delay_s
from coldchain_notify.senders import Outcome, Sender, Target
from coldchain_notify.settings import NotifySettings
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
ATTEMPTS = Counter("notify_delivery_attempts_total", "Delivery attempts", ["kind", "result"])
LATENCY = Histogram("notify_delivery_seconds", "Duration of one delivery attempt", ["kind"])


def target_of(channel: RowMapping, now: datetime) -> Target:
    secrets: tuple[str, ...] = ()
    if channel["secret"]:
        secrets = (channel["secret"],)
        until = channel["old_secret_until"]
        if channel["old_secret"] and until is not None and until > now:
            secrets += (channel["old_secret"],)
    return Target(channel["channel_id"], channel["kind"], dict(channel["spec"]), secrets)


class DeliveryWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        senders: Mapping[str, Sender],
        settings: NotifySettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._senders = senders
        self._settings = settings
        self._clock = clock

    async def run_once(self) -> int:
        """One round; the number of deliveries attempted."""
        s = self._settings
        now = self._clock()
        async with self._engine.begin() as conn:
            claimed = await delivery_log.claim_due(
                conn, now, timedelta(seconds=s.claim_lease_s), s.deliver_batch
            )
            if not claimed:
                return 0
            channels = await delivery_log.channels_by_id(conn, {row["channel_id"] for row in claimed})
        results = await asyncio.gather(
            *(self._attempt(row, channels.get(row["channel_id"])) for row in claimed)
        )
        done = self._clock()
        async with self._engine.begin() as conn:
            for row, (outcome, duration_ms) in zip(claimed, results, strict=True):
                await self._record(conn, row, channels.get(row["channel_id"]), outcome, duration_ms, done)
        return len(claimed)

    async def _attempt(self, row: RowMapping, channel: RowMapping | None) -> tuple[Outcome | None, float]:
        if channel is None or not channel["enabled"]:
            return None, 0.0
        target = target_of(channel, self._clock())
        started = time.perf_counter()
        outcome = await self._senders[target.kind].send(target, str(row["delivery_id"]), dict(row["payload"]))
        elapsed = time.perf_counter() - started
        LATENCY.labels(target.kind).observe(elapsed)
        ATTEMPTS.labels(target.kind, "ok" if outcome.ok else "failed").inc()
        return outcome, elapsed * 1000

    async def _record(
        self,
        conn: AsyncConnection,
        row: RowMapping,
        channel: RowMapping | None,
        outcome: Outcome | None,
        duration_ms: float,
        now: datetime,
    ) -> None:
        s = self._settings
        attempt = row["attempts"] + 1
        if outcome is None:  # the channel is gone or disabled: nothing to try
            await delivery_log.record_attempt(
                conn,
                delivery_id=row["delivery_id"],
                attempt=attempt,
                now=now,
                status_code=None,
                error="channel disabled",
                duration_ms=0.0,
                status="cancelled",
                next_due=None,
            )
            return
        if outcome.ok:
            status, next_due = "delivered", None
        elif attempt >= s.max_attempts:
            status, next_due = "failed", None
        else:
            delay = retry_delay_s(attempt, s.retry_base_s, s.retry_max_s, random.uniform(0.5, 1.0))  # noqa: S311 - jitter
            status, next_due = "pending", now + timedelta(seconds=delay)
        await delivery_log.record_attempt(
            conn,
            delivery_id=row["delivery_id"],
            attempt=attempt,
            now=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=duration_ms,
            status=status,
            next_due=next_due,
        )
        assert channel is not None
        if await delivery_log.channel_result(
            conn, channel["channel_id"], outcome.ok, s.disable_after_failures, now
        ):
            log.warning("channel disabled", channel_id=channel["channel_id"], error=outcome.error)


async def drain(worker: DeliveryWorker) -> None:
    """A Periodic action: rounds until nothing is due (a burst is not paced by the interval)."""
    while await worker.run_once():
        pass
