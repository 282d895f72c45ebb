"""What the runner stores and publishes for one vehicle (pure `plan`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import FixAccepted, TripStarted
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import Outcome, advance, tick
from coldchain_tracking.analysis_runner import plan
from coldchain_tracking.analysis_store import Stored
from coldchain_tracking.domain import state_from_fix

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CTX = AnalysisContext(AnalysisConfig(lateness_s=0))


def fix(minute: float, speed: float = 40.0) -> FixAccepted:
    at = T0 + timedelta(minutes=minute)
    return FixAccepted(
        vehicle_id="v1",
        device_id="d",
        source="t",
        device_time=at,
        received_at=at,
        latitude=37.5 + minute / 100,
        longitude=127.0,
        speed_kmh=speed,
    )


def test_a_new_fix_commits_analysis_state_and_outbox_and_publishes_both() -> None:
    stored = Stored(VehicleAnalysis(vehicle_id="v1"), None)
    outcome = advance(stored.analysis, [Sample.of(fix(0))], CTX)
    p = plan(stored, outcome, CTX, fix(0), 5.0)
    assert p.commit is not None
    assert p.commit.expected_revision == 0
    assert p.commit.analysis.revision == 1
    assert [e.event_type for e in p.events] == ["TripStarted"]  # type: ignore[attr-defined]
    assert p.state is not None
    assert p.state.trip_id == p.events[0].trip_id  # type: ignore[attr-defined]
    assert p.acknowledge == 1


def test_a_redelivered_batch_republishes_the_unacknowledged_outbox_and_state_unchanged() -> None:
    first = advance(VehicleAnalysis(vehicle_id="v1"), [Sample.of(fix(0))], CTX)
    live = state_from_fix(fix(0), 5.0)
    leftover = (TripStarted(vehicle_id="v1", at=T0, trip_id=uuid.uuid4()),)
    stored = Stored(first.state, live, leftover, state_pending=True)
    again = advance(stored.analysis, [Sample.of(fix(0))], CTX)
    assert again.changed is False
    p = plan(stored, again, CTX, fix(0), 5.0)
    assert p.commit is None
    assert p.events == leftover
    assert p.state == live
    assert p.acknowledge == first.state.revision


def test_an_older_fix_never_moves_live_state_back() -> None:
    first = advance(VehicleAnalysis(vehicle_id="v1"), [Sample.of(fix(5))], CTX)
    live = state_from_fix(fix(5), 5.0)
    stored = Stored(first.state, live)
    older = advance(stored.analysis, [Sample.of(fix(1))], CTX)
    assert older.late == 1
    assert plan(stored, older, CTX, fix(1), 5.0).state is None


def test_a_change_that_leaves_the_live_state_as_it_was_publishes_no_state() -> None:
    ctx = AnalysisContext(AnalysisConfig(lateness_s=600))
    first = advance(VehicleAnalysis(vehicle_id="v1"), [Sample.of(fix(5))], ctx)
    live = state_from_fix(fix(5), 5.0)
    stored = Stored(first.state, live)
    buffered = advance(stored.analysis, [Sample.of(fix(4))], ctx)  # only enters the reorder buffer
    p = plan(stored, buffered, ctx, fix(4), 5.0)
    assert p.commit is not None
    assert p.commit.live == live
    assert p.state is None


def test_the_clock_marks_a_quiet_vehicle_offline_in_its_live_state() -> None:
    cfg = AnalysisConfig(lateness_s=0, offline_after_s=600)
    ctx = AnalysisContext(cfg)
    first = advance(VehicleAnalysis(vehicle_id="v1"), [Sample.of(fix(0))], ctx)
    stored = Stored(first.state, state_from_fix(fix(0), 5.0))

    outcome: Outcome = tick(stored.analysis, T0 + timedelta(minutes=20), ctx)
    p = plan(stored, outcome, ctx, None, 5.0)
    assert p.state is not None
    assert p.state.motion.value == "offline"
    assert [a.kind.value for a in p.state.alerts] == ["offline"]
    assert p.state.event_id != stored.live.event_id  # type: ignore[union-attr]
