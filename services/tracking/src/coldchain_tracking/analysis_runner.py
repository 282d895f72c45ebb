"""Runs the analysis for a batch of fixes or a clock tick and publishes what it produced.

Per vehicle: load (analysis, live state, outbox) -> pure `advance`/`tick` -> `plan` ->
commit to Redis (compare-and-set on the analysis revision) -> publish the outbox on
`tracking.events.v1` and the live state on `tracking.vehicle-state.v1`, in order, keyed
by vehicle -> acknowledge (clear the outbox). See `analysis_store` for why each step
is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

import structlog
from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from coldchain_contracts import AnyTrackingEvent, FixAccepted, VehicleStateChanged, new_event_id, utcnow
from coldchain_contracts.topics import TRACKING_EVENTS, VEHICLE_STATE
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.live import enriched, same_content
from coldchain_tracking.analysis.loads import OnBoard, load_of
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.vehicle import Outcome, advance, tick
from coldchain_tracking.analysis_store import Commit, Conflict, Stored
from coldchain_tracking.domain import state_from_fix
from coldchain_tracking.reference import ReferenceData

EVENTS_PUBLISHED = Counter("tracking_events_published_total", "Tracking events published", ["event_type"])
FIXES_LATE = Counter("tracking_fixes_late_total", "Fixes older than the analysis watermark (history only)")
COMMIT_CONFLICTS = Counter("tracking_analysis_conflicts_total", "Analysis commits lost to another writer")
STATES_ADVANCED = Counter("tracking_states_advanced_total", "Live states moved forward")

log = structlog.get_logger(__name__)


class LoadsOnBoard(Protocol):
    """`load_store.LoadStore` (orders on board, projected from `orders.events.v1`)."""

    def on_board(self, vehicle_id: str) -> tuple[OnBoard, ...]: ...


class NothingOnBoard:
    """No orders consumed: every vehicle unloaded."""

    def on_board(self, vehicle_id: str) -> tuple[OnBoard, ...]:
        return ()


class VehicleStore(Protocol):
    """`analysis_store.AnalysisStore` (Redis), or an in-memory one in tests."""

    async def load(self, vehicle_ids: Sequence[str]) -> dict[str, Stored]: ...
    async def commit(self, commits: Sequence[Commit]) -> list[bool]: ...
    async def acknowledge(self, revisions: dict[str, int]) -> None: ...
    async def vehicle_ids(self) -> list[str]: ...


@dataclass(frozen=True)
class Plan:
    commit: Commit | None
    events: tuple[TrackingEvent, ...]
    state: VehicleStateChanged | None
    acknowledge: int | None
    """Revision whose outbox to clear once published."""


def plan(
    stored: Stored,
    outcome: Outcome,
    ctx: AnalysisContext,
    newest: FixAccepted | None,
    moving_speed_kmh: float,
) -> Plan:
    """What to store and publish for one vehicle (pure)."""
    base = stored.live
    fresh = newest is not None and (base is None or newest.device_time > base.device_time)
    if newest is not None and fresh:
        base = state_from_fix(newest, moving_speed_kmh)
    if outcome.changed and base is not None:
        live = enriched(base, outcome.state, ctx)
        changed = stored.live is None or not same_content(live, stored.live)
        if not changed and stored.live is not None:
            live = stored.live
        elif not fresh:
            live = live.model_copy(update={"event_id": new_event_id(), "occurred_at": utcnow()})
        outbox = (*stored.outbox, *outcome.events)
        pending = stored.state_pending or changed
        commit = Commit(stored.analysis.revision, outcome.state, live, outbox, pending)
        return Plan(commit, outbox, live if pending else None, outcome.state.revision)
    if stored.outbox or stored.state_pending:
        state = stored.live if stored.state_pending else None
        return Plan(None, stored.outbox, state, stored.analysis.revision)
    if newest is not None and stored.live is not None and newest.device_time == stored.live.device_time:
        return Plan(None, (), stored.live, None)  # a duplicate of the newest fix: the same state again
    return Plan(None, (), None, None)


class AnalysisRunner:
    def __init__(
        self,
        broker: KafkaBroker,
        store: VehicleStore,
        reference: ReferenceData,
        config: AnalysisConfig,
        clock: Callable[[], datetime] = utcnow,
        loads: LoadsOnBoard | None = None,
    ) -> None:
        self._broker = broker
        self._loads = loads or NothingOnBoard()
        self._store = store
        self._reference = reference
        self._config = config
        self._clock = clock

    def context(self, vehicle_id: str) -> AnalysisContext:
        compartments = self._reference.compartments.get(vehicle_id, ())
        return AnalysisContext(
            config=self._config,
            compartments=compartments,
            geofences=self._reference.geofences,
            load=load_of(self._loads.on_board(vehicle_id), compartments),
            index=self._reference.index,
        )

    async def on_fixes(self, fixes: Sequence[FixAccepted], traces: dict[str, str | None]) -> None:
        """Analyse a batch; raises `Conflict` if another writer got in first (redeliver the batch)."""
        by_vehicle: dict[str, list[FixAccepted]] = {}
        for fix in fixes:
            by_vehicle.setdefault(fix.vehicle_id, []).append(fix)
        stored = await self._store.load(list(by_vehicle))
        plans: dict[str, Plan] = {}
        for vid, vfixes in by_vehicle.items():
            ctx = self.context(vid)
            outcome = advance(stored[vid].analysis, [Sample.of(f) for f in vfixes], ctx)
            FIXES_LATE.inc(outcome.late)
            newest = max(vfixes, key=lambda f: f.device_time)
            plans[vid] = plan(stored[vid], outcome, ctx, newest, self._config.moving_speed_kmh)
            commit = plans[vid].commit
            if commit is not None and commit.live.device_time == newest.device_time:
                STATES_ADVANCED.inc()
        committed = await self._commit(plans)
        if len(committed) < sum(p.commit is not None for p in plans.values()):
            COMMIT_CONFLICTS.inc()
            raise Conflict("analysis state changed under this batch; it will be redelivered")
        await self._publish(plans, traces)

    async def sweep(self) -> None:
        """Advance every vehicle's clock: offline alerts, quiet vehicles' buffered fixes, leftovers."""
        now = self._clock()
        ids = await self._store.vehicle_ids()
        for start in range(0, len(ids), 200):
            chunk = ids[start : start + 200]
            stored = await self._store.load(chunk)
            plans = {}
            for vid in chunk:
                ctx = self.context(vid)
                plans[vid] = plan(stored[vid], tick(stored[vid].analysis, now, ctx), ctx, None, 0.0)
            committed = await self._commit(plans)
            # A vehicle whose commit lost a race is left to the writer that won; next round sees it.
            lost = [vid for vid, p in plans.items() if p.commit is not None and vid not in committed]
            COMMIT_CONFLICTS.inc(len(lost))
            await self._publish({vid: p for vid, p in plans.items() if vid not in lost}, {})

    async def _commit(self, plans: dict[str, Plan]) -> set[str]:
        pending = [(vid, p.commit) for vid, p in plans.items() if p.commit is not None]
        results = await self._store.commit([c for _, c in pending])
        return {vid for (vid, _), ok in zip(pending, results, strict=True) if ok}

    async def _publish(self, plans: dict[str, Plan], traces: dict[str, str | None]) -> None:
        messages: list[Outgoing] = []
        for vid, p in plans.items():
            trace = traces.get(vid)
            for event in p.events:
                typed = cast("AnyTrackingEvent", event)  # every concrete TrackingEvent is in the union
                messages.append(Outgoing.event(TRACKING_EVENTS.name, vid, typed, trace))
                EVENTS_PUBLISHED.labels(typed.event_type).inc()
            if p.state is not None:
                messages.append(Outgoing.event(VEHICLE_STATE.name, vid, p.state, trace))
        await publish_all(self._broker, messages)
        await self._store.acknowledge(
            {vid: p.acknowledge for vid, p in plans.items() if p.acknowledge is not None}
        )
        if messages:
            log.debug("analysis published", messages=len(messages), vehicles=len(plans))
