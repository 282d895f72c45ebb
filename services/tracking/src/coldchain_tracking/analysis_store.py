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

Each store remembers the analysis and live state of the revisions it loaded or
committed. A load sends the revision it holds; Redis answers the outbox and flags, and
the analysis and state JSON only when the revision differs. Parsing those two documents
per vehicle and batch was the largest single cost of tracking (`make bench-telemetry`,
py-spy); a revision is written once (compare-and-set), so a remembered one is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter
from redis.asyncio import Redis

from coldchain_contracts import AnyTrackingEvent, VehicleStateChanged
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis.state import VehicleAnalysis
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

_LOAD = """
local head = redis.call('HMGET', KEYS[1], 'analysis_rev', 'outbox', 'state_pending')
local rev = head[1] or '0'
if tonumber(rev) == tonumber(ARGV[1]) then
  return {rev, head[2], head[3]}
end
local body = redis.call('HMGET', KEYS[1], 'analysis', 'state')
return {rev, head[2], head[3], body[1], body[2]}
"""
"""The revision, outbox and pending flag; the analysis and state only when the revision is
not `ARGV[1]` (the one the caller holds). A missing field is a nil reply."""

_EVENTS = TypeAdapter(list[AnyTrackingEvent])


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
    def __init__(self, redis: Redis, remember_max: int = 50_000) -> None:
        self._redis = redis
        self._commit = redis.register_script(_COMMIT)
        self._acknowledge = redis.register_script(_ACKNOWLEDGE)
        self._load = redis.register_script(_LOAD)
        self._known: dict[str, tuple[int, VehicleAnalysis, VehicleStateChanged | None]] = {}
        self._remember_max = remember_max

    async def load(self, vehicle_ids: Sequence[str]) -> dict[str, Stored]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for vid in vehicle_ids:
                known = self._known.get(vid)
                await self._load(keys=[_state_key(vid)], args=[known[0] if known else -1], client=pipe)
            rows = await pipe.execute()
        loaded = {}
        for vid, row in zip(vehicle_ids, rows, strict=True):
            revision, outbox, pending = int(row[0]), row[1], row[2]
            if len(row) > 3:  # not the revision this store holds
                analysis, state = row[3], row[4]
                self._remember(
                    vid,
                    revision,
                    VehicleAnalysis.model_validate_json(analysis)
                    if analysis
                    else VehicleAnalysis(vehicle_id=vid),
                    VehicleStateChanged.model_validate_json(state) if state else None,
                )
            _, held, live = self._known[vid]
            loaded[vid] = Stored(
                analysis=held,
                live=live,
                outbox=tuple(_EVENTS.validate_json(outbox)) if outbox else (),
                state_pending=pending == b"1",
            )
        return loaded

    def _remember(
        self, vid: str, revision: int, analysis: VehicleAnalysis, live: VehicleStateChanged | None
    ) -> None:
        self._known.pop(vid, None)  # re-inserted last: the oldest-used go first when full
        if len(self._known) >= self._remember_max:
            del self._known[next(iter(self._known))]
        self._known[vid] = (revision, analysis, live)

    async def commit(self, commits: Sequence[Commit]) -> list[bool]:
        """Store each commit whose expected revision still holds; True where it did."""
        if not commits:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for c in commits:
                vid = c.analysis.vehicle_id
                outbox = "[" + ",".join(e.model_dump_json() for e in c.outbox) + "]"  # no re-encoding
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
        for c, stored in zip(commits, results, strict=True):
            if stored == 1:
                self._remember(c.analysis.vehicle_id, c.analysis.revision, c.analysis, c.live)
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
