"""Token buckets counted in the replica and reconciled with Redis every `sync_s`.

The exact limiter's Redis round trip per hit was the largest single cost of a cached read.
Here a hit is decided from this replica's view of the bucket, and the hits granted are
debited in Redis in one pipelined round every `sync_s` (0.1 s by default), which answers
each bucket's tokens left after every replica's hits; the view is reset from that.

- A bucket this replica has not seen (or forgot after it refilled) is read from Redis
  before its first hit is decided, so a restarted replica does not start with full
  buckets that others already drained.
- Across N replicas a client can get at most what the others granted it within one sync
  interval beyond its limit (Kong's `sync_rate` makes the same trade); the debt this
  leaves in Redis is paid back by the bucket's next refills, on every replica.
- With Redis unreachable, a known bucket is still limited by this replica alone, and its
  hits are kept for the next sync; a new bucket cannot be read and the request gets the
  503 of the exact limiter.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from coldchain_gateway.security.ratelimit import DEBIT_SCRIPT, Rate
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)


@dataclass(slots=True)
class LocalBucket:
    """One bucket as this replica sees it: pure, so its arithmetic tests without Redis."""

    rate: Rate
    tokens: float
    at: float
    unsynced: int = 0
    """Hits granted here and not yet debited in Redis."""
    in_flight: int = 0
    """Hits sent in the current sync round, not yet answered."""
    last_hit: float = field(default=0.0)

    def take(self, now: float) -> float:
        """0 and one token taken, or the seconds until a token is available."""
        self.tokens = min(self.rate.burst, self.tokens + (now - self.at) * self.rate.per_s)
        self.at = now
        self.last_hit = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.unsynced += 1
            return 0.0
        return (1 - self.tokens) / self.rate.per_s

    def synced(self, redis_tokens: float, now: float) -> None:
        """Redis answered `redis_tokens` after debiting the round's hits; hits granted here
        since the round was sent are not in it yet."""
        self.tokens = redis_tokens - self.unsynced
        self.at = now
        self.in_flight = 0

    def idle(self, now: float) -> bool:
        """Refilled to full and nothing to send: as good as a bucket never seen."""
        return not self.unsynced and not self.in_flight and now - self.last_hit > self.rate.seconds


class SyncedLimiter:
    def __init__(self, redis: Redis, prefix: str, max_buckets: int = 100_000) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(DEBIT_SCRIPT)
        self._buckets: dict[str, LocalBucket] = {}
        self._reading: dict[str, asyncio.Future[None]] = {}
        self._max_buckets = max_buckets

    def _key(self, bucket: str) -> str:
        return f"{self._prefix}rl:{bucket}"  # the exact limiter's keys: both see one bucket

    async def wait_s(self, bucket: str, rate: Rate) -> float:
        local = self._buckets.get(bucket)
        if local is None:
            local = await self._first_sight(bucket, rate)
        return local.take(time.monotonic())

    async def _first_sight(self, bucket: str, rate: Rate) -> LocalBucket:
        reading = self._reading.get(bucket)
        if reading is None:
            reading = asyncio.get_running_loop().create_future()
            self._reading[bucket] = reading
            try:
                tokens = float(await self._script(keys=[self._key(bucket)], args=[rate.burst, rate.per_s, 0]))
                if len(self._buckets) >= self._max_buckets:
                    self._forget_idle(time.monotonic(), everything=True)
                self._buckets[bucket] = LocalBucket(rate, tokens, time.monotonic())
                reading.set_result(None)
            except BaseException as exc:
                reading.set_exception(exc)
                raise
            finally:
                del self._reading[bucket]
        else:
            await asyncio.shield(reading)
        return self._buckets[bucket]

    async def sync(self) -> None:
        """Debit every bucket's unsynced hits in one pipelined round, and take Redis's view."""
        now = time.monotonic()
        self._forget_idle(now)
        due = [(name, b) for name, b in self._buckets.items() if b.unsynced]
        if not due:
            return
        for _, local in due:
            local.in_flight, local.unsynced = local.unsynced, 0
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name, local in due:
                    await self._script(
                        keys=[self._key(name)],
                        args=[local.rate.burst, local.rate.per_s, local.in_flight],
                        client=pipe,
                    )
                answers = await pipe.execute()
        except RedisError as exc:
            for _, local in due:  # kept for the next round; decisions stay local meanwhile
                local.unsynced += local.in_flight
                local.in_flight = 0
            log.warning("rate limit sync failed; limiting per replica until Redis answers", error=repr(exc))
            return
        now = time.monotonic()
        for (_, local), tokens in zip(due, answers, strict=True):
            local.synced(float(tokens), now)

    def _forget_idle(self, now: float, everything: bool = False) -> None:
        idle = [name for name, b in self._buckets.items() if everything or b.idle(now)]
        for name in idle:
            local = self._buckets[name]
            if not local.unsynced and not local.in_flight:
                del self._buckets[name]

    def __len__(self) -> int:
        return len(self._buckets)
