"""Live vehicle state in Redis, updated with an atomic compare-on-device-time.

The fix consumer now writes the live state together with the analysis state through
`analysis_store` (compare-and-set on the analysis revision, same hash, same fields);
`get` here reads it, and `advance` remains for writers without analysis.

The Lua script makes "never move back" hold even with several tracking replicas or
redelivered batches: the stored state changes only if the offered fix is strictly
newer than the stored one. When the offered state is exactly as new as the stored
one (a duplicate fix, or a batch redelivered after its state was stored but before
its event was published), the stored state is handed back so its event can be
published again: same event id, so at-least-once without a gap.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from coldchain_contracts import VehicleStateChanged

_ADVANCE = """
local current = redis.call('HGET', KEYS[1], 'device_time_us')
if current then
  local stored, offered = tonumber(current), tonumber(ARGV[1])
  if stored > offered then
    return {0}
  end
  if stored == offered then
    return {2, redis.call('HGET', KEYS[1], 'state')}
  end
end
redis.call('HSET', KEYS[1], 'device_time_us', ARGV[1], 'state', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
return {1}
"""

VEHICLES_KEY = "tracking:vehicles"
VEHICLE_INDEX_KEY = "tracking:vehicle-index"
"""Every vehicle id with a state, in a sorted set of equal scores: ordered by id, so a
listing pages by `ZRANGE BYLEX` from the last id seen in O(log n + page)."""


@dataclass(frozen=True, slots=True)
class Advance:
    advanced: list[VehicleStateChanged]
    """Stored now: newer than what was there."""
    current: list[VehicleStateChanged]
    """Already stored at exactly that device time: the stored state, to publish again."""

    @property
    def to_publish(self) -> list[VehicleStateChanged]:
        return [*self.advanced, *self.current]


def _state_key(vehicle_id: str) -> str:
    return f"tracking:vehicle:{vehicle_id}"


def _micros(state: VehicleStateChanged) -> int:
    return int(state.device_time.timestamp() * 1_000_000)


class LiveStateStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._advance = redis.register_script(_ADVANCE)

    async def advance(self, states: Sequence[VehicleStateChanged]) -> Advance:
        """Store each state if newer than the stored one (see module doc)."""
        if not states:
            return Advance([], [])
        async with self._redis.pipeline(transaction=False) as pipe:
            for state in states:
                await self._advance(
                    keys=[_state_key(state.vehicle_id), VEHICLES_KEY, VEHICLE_INDEX_KEY],
                    args=[_micros(state), state.model_dump_json(), state.vehicle_id],
                    client=pipe,
                )
            results = await pipe.execute()
        advanced, current = [], []
        for state, (outcome, *stored) in zip(states, results, strict=True):
            if outcome == 1:
                advanced.append(state)
            elif outcome == 2:
                current.append(VehicleStateChanged.model_validate_json(stored[0]))
        return Advance(advanced, current)

    async def get(self, vehicle_id: str) -> VehicleStateChanged | None:
        raw = await self._redis.hget(_state_key(vehicle_id), "state")
        return VehicleStateChanged.model_validate_json(raw) if raw else None

    async def page(self, after: str | None, limit: int) -> list[VehicleStateChanged]:
        """States of up to `limit` vehicles with ids after `after`, by vehicle id."""
        ids = await self._redis.zrange(
            VEHICLE_INDEX_KEY, f"({after}" if after else "-", "+", bylex=True, offset=0, num=limit
        )
        if not ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for vehicle_id in ids:
                pipe.hget(_state_key(_text(vehicle_id)), "state")
            raws = await pipe.execute()
        return [VehicleStateChanged.model_validate_json(raw) for raw in raws if raw]

    async def index_existing(self) -> int:
        """Add vehicles stored before the sorted index existed (idempotent, at start)."""
        missing = await self._redis.scard(VEHICLES_KEY) - await self._redis.zcard(VEHICLE_INDEX_KEY)
        if missing <= 0:
            return 0
        added = 0
        async for batch in _chunks(self._redis.sscan_iter(VEHICLES_KEY, count=1000), 1000):
            added += int(await self._redis.zadd(VEHICLE_INDEX_KEY, dict.fromkeys(batch, 0)) or 0)
        return added


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _chunks(items: AsyncIterator[Any], size: int) -> AsyncIterator[list[Any]]:
    chunk: list[Any] = []
    async for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
