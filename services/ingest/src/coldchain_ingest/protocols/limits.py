"""Admission rules shared by the device ports: token buckets and connection slots.

Pure and in memory, per ingest replica (a device talks to one replica at a time; a
load balancer in front spreads addresses). Both structures are bounded whatever the
input: an attacker rotating device ids or source addresses evicts the least recently
seen bucket instead of growing the map, and connection counts exist only for open
connections. Time is passed in (monotonic seconds), so the rules test without sleeping.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    """`per_s` tokens a second, at most `burst` saved up; `per_s` 0 switches the limit off."""

    per_s: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.per_s > 0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One token bucket per key, the `max_keys` most recently used kept.

    An evicted key comes back with a full bucket, so a flood wide enough to evict
    buckets gains at most one burst per key it makes the limiter forget; the per-address
    connection rules cap how wide one address can go.
    """

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self._rate = rate
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def wait_s(self, key: str, now: float) -> float:
        """Take one token if there is one (0.0); else how long until there is one (none taken)."""
        if not self._rate.enabled:
            return 0.0
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate.per_s

    def reserve_s(self, key: str, now: float) -> float:
        """Take one token now, in debt if need be; how long until it is really there (pacing)."""
        if not self._rate.enabled:
            return 0.0
        bucket = self._refilled(key, now)
        bucket.tokens -= 1.0
        return max(0.0, -bucket.tokens / self._rate.per_s)

    def allow(self, key: str, now: float) -> bool:
        return self.wait_s(key, now) == 0.0

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self._rate.burst), now)
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(float(self._rate.burst), bucket.tokens + (now - bucket.at) * self._rate.per_s)
            bucket.at = now
        return bucket


class ConnectionSlots:
    """Open connections in total and per address; `admit` refuses past either cap."""

    def __init__(self, total: int, per_address: int) -> None:
        self._total = total
        self._per_address = per_address
        self._open: dict[str, int] = {}
        self._count = 0

    @property
    def open(self) -> int:
        return self._count

    def admit(self, address: str) -> str | None:
        """Take a slot for `address`, or say why not (`max_connections`, `max_per_address`)."""
        if self._count >= self._total:
            return "max_connections"
        held = self._open.get(address, 0)
        if held >= self._per_address:
            return "max_per_address"
        self._open[address] = held + 1
        self._count += 1
        return None

    def release(self, address: str) -> None:
        held = self._open.get(address, 0)
        if held <= 0:
            return
        self._count -= 1
        if held == 1:
            del self._open[address]
        else:
            self._open[address] = held - 1
