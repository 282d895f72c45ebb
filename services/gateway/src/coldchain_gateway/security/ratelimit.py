"""Token buckets in Redis: exact (one atomic Lua script per hit) or synced (counted in the
replica, reconciled with Redis every few milliseconds).

A bucket holds up to `burst` tokens and refills at `burst / seconds` per second; each
request takes one. The scripts read Redis's own clock so replicas agree; the answer is
how long until a token is available, which becomes `Retry-After`.

The exact limiter costs a Redis round trip per hit, which for a cached read is most of
the request (`make bench-gateway-stack`); it stays on login, where every attempt must
count. The synced limiter (`SyncedLimiter`) is for the high-volume route classes.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s\s*$")

_REFILLED = """
local capacity = tonumber(ARGV[1])
local per_s = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * per_s)
"""
"""Both scripts' start: the bucket's tokens now, refilled by Redis's clock."""
_STORED = """
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * capacity / per_s * 1000) + 1000)
"""

BUCKET_SCRIPT = (
    _REFILLED
    + """
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / per_s
end
"""
    + _STORED
    + "return tostring(wait)\n"
)

DEBIT_SCRIPT = (
    _REFILLED
    + """
tokens = math.max(tokens - tonumber(ARGV[3]), -capacity)
"""
    + _STORED
    + "return tostring(tokens)\n"
)
"""Takes `hits` tokens already granted by a replica, and answers what is left. A bucket may
go into debt (hits granted by several replicas between two syncs): its next refills pay it
back, so every replica then grants less. `hits` = 0 only reads (and refills) the bucket."""


@dataclass(frozen=True)
class Rate:
    """`burst` requests at once, refilled evenly over `seconds`."""

    burst: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        return _parse_rate(text)

    @property
    def per_s(self) -> float:
        return self.burst / self.seconds

    def __str__(self) -> str:
        return f"{self.burst}/{self.seconds:g}s"


@functools.lru_cache(maxsize=64)
def _parse_rate(text: str) -> Rate:  # per request: settings hold the text
    match = _RATE.match(text)
    if not match or int(match[1]) < 1 or float(match[2]) <= 0:
        raise ValueError(f"rate {text!r}: expected '<requests>/<seconds>s', e.g. '600/60s'")
    return Rate(int(match[1]), float(match[2]))


class Limiter(Protocol):
    async def wait_s(self, bucket: str, rate: Rate) -> float:
        """Takes a token from `bucket`; 0 when allowed, else seconds until one is available."""
        ...


class RedisLimiter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(BUCKET_SCRIPT)

    async def wait_s(self, bucket: str, rate: Rate) -> float:
        result = await self._script(keys=[f"{self._prefix}rl:{bucket}"], args=[rate.burst, rate.per_s])
        return float(result)


class NoLimits:
    """For tests of route logic only; never wired in by the application."""

    async def wait_s(self, bucket: str, rate: Rate) -> float:
        return 0.0


def retry_after(wait_s: float) -> str:
    """Whole seconds, rounded up, never 0 (RFC 9110 §10.2.3)."""
    return str(max(1, math.ceil(wait_s)))
