"""Per-vehicle analysis state, live state and an event outbox in one Redis hash.

The hash `tracking:vehicle:<id>` already holds the live state (`state`,
`device_time_us`); next to it go `analysis` (the `VehicleAnalysis` JSON), `analysis_rev`,
`outbox` (tracking events not yet acknowledged by Kafka) and `state_pending` (the live
state not yet published). One Lua script writes all of them at once, and only if
`analysis_rev` is still the revision the writer read (optimistic compare-and-set), so
the analysis, the live state derived from it and the events it produced can never
disagree, whichever replica (batch handler or offline sweeper) wrote last. A writer
that loses the race retries from a fresh read (the batch handler raises: the batch is
redelivered; the sweeper tries again on its next round).

Publishing is the outbox pattern: commit (state + outbox) -> publish the outbox ->
`acknowledge` clears it if the revision is unchanged. A crash in between leaves the
outbox in place; the next writer for that vehicle (or the sweeper) publishes it first.
Event ids are deterministic, so a republished event is the same event.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter
from redis.asyncio import Redis

from coldchain_contracts import AnyTrackingEvent, VehicleStateChanged
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis.vehicle import VehicleAnalysis
from coldchain_tracking.live_state import VEHICLE_INDEX_KEY, VEHICLES_KEY, _micros, _state_key

_COMMIT = """
local rev = tonumber(redis.call('HGET', KEYS[1], 'analysis_rev') or '0')
if rev ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'analysis_rev', ARGV[2], 'analysis', ARGV[3], 'device_time_us', ARGV[4],
  'state', ARGV[5], 'outbox', ARGV[6], 'state_pending', ARGV[7])
redis.call('SADD', KEYS[2], ARGV[8])
redis.call('ZADD', KEYS[3], 0, ARGV[8])
return 1
"""

_ACKNOWLEDGE = """
local rev = tonumber(redis.call('HGET', KEYS[1], 'analysis_rev') or '0')
if rev == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'outbox', '[]', 'state_pending', '0')
  return 1
end
return 0
"""

_EVENTS = TypeAdapter(list[AnyTrackingEvent])
_FIELDS = ("analysis", "state", "outbox", "state_pending")


class Conflict(RuntimeError):
    """Another writer stored a newer revision first; re-read and try again."""


@dataclass(frozen=True)
class Stored:
    analysis: VehicleAnalysis
    live: VehicleStateChanged | None
    outbox: tuple[TrackingEvent, ...] = ()
    state_pending: bool = False


@dataclass(frozen=True)
class Commit:
    expected_revision: int
    analysis: VehicleAnalysis
    live: VehicleStateChanged
    outbox: tuple[TrackingEvent, ...]
    state_pending: bool


class AnalysisStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._commit = redis.register_script(_COMMIT)
        self._acknowledge = redis.register_script(_ACKNOWLEDGE)

    async def load(self, vehicle_ids: Sequence[str]) -> dict[str, Stored]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for vid in vehicle_ids:
                pipe.hmget(_state_key(vid), _FIELDS)
            rows = await pipe.execute()
        loaded = {}
        for vid, (analysis, state, outbox, pending) in zip(vehicle_ids, rows, strict=True):
            loaded[vid] = Stored(
                analysis=VehicleAnalysis.model_validate_json(analysis)
                if analysis
                else VehicleAnalysis(vehicle_id=vid),
                live=VehicleStateChanged.model_validate_json(state) if state else None,
                outbox=tuple(_EVENTS.validate_json(outbox)) if outbox else (),
                state_pending=pending == b"1",
            )
        return loaded

    async def commit(self, commits: Sequence[Commit]) -> list[bool]:
        """Store each commit whose expected revision still holds; True where it did."""
        if not commits:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for c in commits:
                vid = c.analysis.vehicle_id
                outbox = json.dumps([json.loads(e.model_dump_json()) for e in c.outbox])
                await self._commit(
                    keys=[_state_key(vid), VEHICLES_KEY, VEHICLE_INDEX_KEY],
                    args=[
                        c.expected_revision,
                        c.analysis.revision,
                        c.analysis.model_dump_json(),
                        _micros(c.live),
                        c.live.model_dump_json(),
                        outbox,
                        "1" if c.state_pending else "0",
                        vid,
                    ],
                    client=pipe,
                )
            results = await pipe.execute()
        return [r == 1 for r in results]

    async def acknowledge(self, revisions: dict[str, int]) -> None:
        """The outbox and live state of these revisions are on Kafka: clear them."""
        if not revisions:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for vid, revision in revisions.items():
                await self._acknowledge(keys=[_state_key(vid)], args=[revision], client=pipe)
            await pipe.execute()

    async def vehicle_ids(self) -> list[str]:
        members = await self._redis.smembers(VEHICLES_KEY)
        return sorted(m.decode() if isinstance(m, bytes) else m for m in members)
