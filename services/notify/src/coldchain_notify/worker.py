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
from sqlalchemy.ext.asyncio import AsyncEngine

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
        attempts = [
            self._judge(row, outcome, ms) for row, (outcome, ms) in zip(claimed, results, strict=True)
        ]
        by_channel: dict[str, list[bool]] = {}
        for row, (outcome, _) in zip(claimed, results, strict=True):
            if outcome is not None:
                by_channel.setdefault(row["channel_id"], []).append(outcome.ok)
        async with self._engine.begin() as conn:
            await delivery_log.record_attempts(conn, attempts, done)
            for channel_id, outcomes in sorted(by_channel.items()):  # sorted: a fixed lock order
                limit = self._settings.disable_after_failures
                if await delivery_log.channel_results(conn, channel_id, outcomes, limit, done):
                    log.warning("channel disabled", channel_id=channel_id)
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

    def _judge(self, row: RowMapping, outcome: Outcome | None, duration_ms: float) -> delivery_log.Attempt:
        """What an attempt makes of its delivery: delivered, retried later, failed, or
        cancelled (the channel is gone or disabled: nothing was tried)."""
        s = self._settings
        attempt = row["attempts"] + 1
        if outcome is None:
            return delivery_log.Attempt(
                row["delivery_id"], attempt, "cancelled", None, "channel disabled", 0.0, None
            )
        next_due = None
        if outcome.ok:
            status = "delivered"
        elif attempt >= s.max_attempts:
            status = "failed"
        else:
            jitter = random.uniform(0.5, 1.0)  # noqa: S311 - spreads retries, not a secret
            status = "pending"
            next_due = self._clock() + timedelta(
                seconds=retry_delay_s(attempt, s.retry_base_s, s.retry_max_s, jitter)
            )
        return delivery_log.Attempt(
            row["delivery_id"], attempt, status, outcome.status_code, outcome.error, duration_ms, next_due
        )


async def drain(worker: DeliveryWorker) -> None:
    """A Periodic action: rounds until nothing is due (a burst is not paced by the interval)."""
    while await worker.run_once():
        pass
