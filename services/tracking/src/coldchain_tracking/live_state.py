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

from collections.abc import Sequence
from dataclasses import dataclass

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
return {1}
"""

VEHICLES_KEY = "tracking:vehicles"


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
                    keys=[_state_key(state.vehicle_id), VEHICLES_KEY],
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
