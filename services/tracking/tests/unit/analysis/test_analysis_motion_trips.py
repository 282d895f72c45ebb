"""Motion classification, and trips and stops from the fix stream (incl. out of order, duplicates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import Motion, StopEnded, StopStarted, TripEnded, TripStarted
from coldchain_servicekit.geo import haversine_m
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.motion import classify, is_moving
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance, tick

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CTX = AnalysisContext(AnalysisConfig(lateness_s=0, stop_min_s=180))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sample(minutes: float, lat: float = 37.5, speed: float | None = 40.0, **kw: object) -> Sample:
    return Sample(at=at(minutes), latitude=lat, longitude=127.0, speed_kmh=speed, **kw)  # type: ignore[arg-type]


def drive_and_stop() -> list[Sample]:
    """Drive north 0.01° a minute for 5 minutes, stand 10 minutes, drive off again."""
    driving = [sample(m, lat=37.5 + 0.01 * m) for m in range(6)]
    standing = [sample(m, lat=37.55, speed=0.0) for m in range(6, 16)]
    return [*driving, *standing, sample(16, lat=37.56)]


def run(samples: list[Sample], ctx: AnalysisContext = CTX) -> tuple[VehicleAnalysis, list[object]]:
    state, events = VehicleAnalysis(vehicle_id="v1"), []
    for s in samples:
        outcome = advance(state, [s], ctx)
        state = outcome.state
        events += outcome.events
    return state, events


def test_motion_is_moving_at_or_above_the_threshold_idle_with_ignition_and_unknown_without_gps() -> None:
    assert classify(is_moving(sample(0, speed=5.0), None, 5.0), False) is Motion.MOVING
    assert classify(is_moving(sample(0, speed=4.9), None, 5.0), True) is Motion.IDLE
    assert classify(is_moving(sample(0, speed=0.0), None, 5.0), False) is Motion.STOPPED
    assert is_moving(sample(0, speed=0.0, gps_valid=False), None, 5.0) is None


def test_without_reported_speed_motion_uses_the_speed_implied_by_the_last_valid_fix() -> None:
    previous = Point(at=at(0), latitude=37.5, longitude=127.0)
    assert is_moving(sample(1, lat=37.51, speed=None), previous, 5.0) is True  # ~1.1 km in a minute
    assert is_moving(sample(1, lat=37.50001, speed=None), previous, 5.0) is False
    assert is_moving(sample(1, speed=None), None, 5.0) is None


def test_a_trip_ends_and_a_stop_starts_when_standing_longer_than_the_minimum() -> None:
    _, events = run(drive_and_stop())
    kinds = [type(e) for e in events]
    assert kinds == [TripStarted, TripEnded, StopStarted, StopEnded, TripStarted]
    _started, ended, stop, stop_ended, _ = events
    assert isinstance(ended, TripEnded)
    assert isinstance(stop, StopStarted)
    assert isinstance(stop_ended, StopEnded)
    assert ended.started_at == at(0)
    assert ended.at == at(6) == stop.at
    expected_km = haversine_m((37.5, 127.0), (37.55, 127.0)) / 1000
    assert ended.distance_km == pytest.approx(expected_km, abs=0.002)
    assert stop_ended.at == at(16)
    assert stop_ended.duration_s == 600


def test_a_standstill_shorter_than_the_minimum_is_no_stop_and_the_trip_goes_on() -> None:
    samples = [sample(0), sample(1, lat=37.51), sample(2, lat=37.51, speed=0), sample(4, lat=37.52)]
    state, events = run(samples)
    assert [type(e) for e in events] == [TripStarted]
    assert state.trips.trip is not None
    assert state.trips.trip.distance_km > 2


def test_the_clock_flushes_a_quiet_vehicles_buffer_with_the_result_of_later_fixes() -> None:
    ctx = AnalysisContext(AnalysisConfig(lateness_s=120, flush_after_s=120, stop_min_s=180))
    quiet = advance(VehicleAnalysis(vehicle_id="v1"), [sample(0), sample(1, lat=37.51, speed=0)], ctx).state
    quiet = advance(quiet, [sample(4, lat=37.51, speed=0)], ctx).state
    assert [s.at for s in quiet.buffer] == [at(4)], "within the allowance of the newest fix: buffered"
    assert tick(quiet, at(5), ctx).events == [], "received a minute ago: more may come"
    by_clock = tick(quiet, at(6), ctx)
    by_fix = advance(quiet, [sample(6.5, lat=37.51, speed=0)], ctx)
    assert [type(e) for e in by_clock.events] == [TripEnded, StopStarted]
    assert [e.event_id for e in by_clock.events] == [e.event_id for e in by_fix.events]
    assert by_clock.state.watermark == at(4), "the watermark stops at the newest fix, not at the clock"


def test_invalid_gps_fixes_are_neither_stops_nor_moves() -> None:
    samples = [
        sample(0),
        *[sample(m, speed=0.0, gps_valid=False) for m in range(1, 10)],
        sample(10, lat=37.6),
    ]
    state, events = run(samples)
    assert [type(e) for e in events] == [TripStarted]
    assert state.trips.stop is None


def test_out_of_order_fixes_within_the_lateness_allowance_give_the_in_order_result() -> None:
    ctx = AnalysisContext(AnalysisConfig(lateness_s=300, stop_min_s=180))
    ordered = drive_and_stop() + [sample(m, lat=37.56 + 0.01 * (m - 16)) for m in range(17, 25)]
    # The fixes of minutes 6-9 (the start of the standstill) come after minute 10, in reverse.
    shuffled = [*ordered[:6], ordered[10], *reversed(ordered[6:10]), *ordered[11:]]
    _, in_order = run(ordered, ctx)
    _, out_of_order = run(shuffled, ctx)
    assert [e.event_id for e in out_of_order] == [e.event_id for e in in_order]
    assert [type(e) for e in in_order][:4] == [TripStarted, TripEnded, StopStarted, StopEnded]


def test_duplicates_and_fixes_later_than_the_allowance_change_nothing() -> None:
    ctx = AnalysisContext(AnalysisConfig(lateness_s=60))
    state, _ = run([sample(0), sample(5, lat=37.55)], ctx)
    duplicate = advance(state, [sample(5, lat=37.55)], ctx)
    late = advance(state, [sample(1, lat=37.51)], ctx)
    assert (duplicate.duplicates, duplicate.changed, duplicate.events) == (1, False, [])
    assert (late.late, late.changed, late.events) == (1, False, [])


def test_reprocessing_the_same_fixes_from_the_same_state_gives_the_same_event_ids() -> None:
    _, first = run(drive_and_stop())
    _, second = run(drive_and_stop())
    assert [e.event_id for e in first] == [e.event_id for e in second]  # type: ignore[attr-defined]
    assert len({e.event_id for e in first}) == len(first)  # type: ignore[attr-defined]


def test_state_survives_a_json_round_trip() -> None:
    state, _ = run(drive_and_stop()[:9])
    assert VehicleAnalysis.model_validate_json(state.model_dump_json()) == state
