"""Live vehicle state in Redis, updated with an atomic compare-on-device-time.

The Lua script makes "never move back" hold even with several tracking replicas or
redelivered batches: the stored state changes only if the offered fix is strictly
newer than the stored one.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from coldchain_contracts import VehicleStateChanged

_ADVANCE = """
local current = redis.call('HGET', KEYS[1], 'device_time_us')
if current and tonumber(current) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'device_time_us', ARGV[1], 'state', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1
"""

VEHICLES_KEY = "tracking:vehicles"


def _state_key(vehicle_id: str) -> str:
    return f"tracking:vehicle:{vehicle_id}"


def _micros(state: VehicleStateChanged) -> int:
    return int(state.device_time.timestamp() * 1_000_000)


class LiveStateStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._advance = redis.register_script(_ADVANCE)

    async def advance(self, states: Sequence[VehicleStateChanged]) -> list[VehicleStateChanged]:
        """Store each state if newer than the stored one; return those that were stored."""
        if not states:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for state in states:
                await self._advance(
                    keys=[_state_key(state.vehicle_id), VEHICLES_KEY],
                    args=[_micros(state), state.model_dump_json(), state.vehicle_id],
                    client=pipe,
                )
            results = await pipe.execute()
        return [s for s, stored in zip(states, results, strict=True) if stored == 1]

    async def get(self, vehicle_id: str) -> VehicleStateChanged | None:
        raw = await self._redis.hget(_state_key(vehicle_id), "state")
        return VehicleStateChanged.model_validate_json(raw) if raw else None
