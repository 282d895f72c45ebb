"""Alerts: the generic open/close tracker with its de-duplication window, and each rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import AlertClosed, AlertKind, AlertOpened, ChannelState, ReeferReading
from coldchain_tracking.analysis.alerts import AlertRule, AlertTrack, observe
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext, Load
from coldchain_tracking.analysis.geofences import Geofence
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance, tick

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RULE = AlertRule(open_after_s=120, dedup_s=600)
CFG = AnalysisConfig(lateness_s=0, offline_after_s=86_400)  # gaps in these scenarios are not the point


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def track(observations: list[tuple[float, bool]]) -> list[object]:
    state, events = AlertTrack(kind=AlertKind.SLOW_OR_STUCK), []
    for minute, holds in observations:
        state, ev = observe(state, holds, Point(at=at(minute), latitude=37.5, longitude=127.0), RULE, "v1")
        events += ev
    return events


def run(samples: list[Sample], ctx: AnalysisContext) -> tuple[VehicleAnalysis, list[object]]:
    state, events = VehicleAnalysis(vehicle_id="v1"), []
    for s in samples:
        outcome = advance(state, [s], ctx)
        state, events = outcome.state, events + outcome.events
    return state, [e for e in events if isinstance(e, AlertOpened | AlertClosed)]


def test_tracker_opens_after_the_condition_held_long_enough_dated_at_that_moment() -> None:
    assert track([(0, True), (1, True), (1.5, False)]) == []
    [opened] = track([(0, True), (1, True), (3, True)])
    assert isinstance(opened, AlertOpened)
    assert opened.at == at(2)


def test_tracker_dedup_window_merges_a_relapse_into_one_alert_and_closes_at_the_clearing() -> None:
    flapping = [
        (0, True),
        (3, True),
        (4, False),
        (8, True),
        (9, False),
        (15, False),
        (19, False),
        (20, False),
    ]
    events = track(flapping)
    opened, closed = events
    assert isinstance(opened, AlertOpened)
    assert isinstance(closed, AlertClosed)
    assert closed.alert_id == opened.alert_id
    assert closed.at == at(9)
    assert closed.opened_at == at(2)


def test_tracker_opens_a_new_alert_after_the_window() -> None:
    events = track([(0, True), (3, True), (4, False), (15, True), (18, True)])
    assert [type(e) for e in events] == [AlertOpened, AlertClosed, AlertOpened]
    assert events[0].alert_id != events[2].alert_id  # type: ignore[attr-defined]


def probe(minute: float, state: ChannelState) -> Sample:
    return Sample(
        at=at(minute),
        latitude=37.5,
        longitude=127.0,
        speed_kmh=0,
        temperatures=(ReeferReading(channel="A", state=state),),
    )


def test_probe_disconnected_alert_per_channel() -> None:
    ctx = AnalysisContext(CFG.model_copy(update={"probe_disconnected_after_s": 300}))
    d, ok = ChannelState.PROBE_DISCONNECTED, ChannelState.OK
    samples = [probe(0, d), probe(3, d), probe(6, d), probe(7, ok), probe(20, ok)]
    _, events = run(samples, ctx)
    opened, closed = events
    assert isinstance(opened, AlertOpened)
    assert opened.kind is AlertKind.PROBE_DISCONNECTED
    assert opened.detail == "channel A"
    assert opened.at == at(5)
    assert isinstance(closed, AlertClosed)
    assert closed.at == at(7)
    _, spurious = run([probe(0, d), probe(1, ok), probe(30, ok)], ctx)
    assert spurious == []


def moving(minute: float, speed: float, lat: float = 37.5) -> Sample:
    return Sample(at=at(minute), latitude=lat, longitude=127.0, speed_kmh=speed)


def test_slow_or_stuck_only_while_loaded_and_outside_sites() -> None:
    crawl = [moving(m, 8, lat=37.5 + m * 0.001) for m in range(0, 50, 5)]
    loaded = AnalysisContext(CFG, load=Load(loaded_since=T0 - timedelta(hours=1)))
    _, events = run([*crawl, moving(50, 60, lat=37.6), moving(65, 60, lat=37.7)], loaded)
    opened, closed = events
    assert isinstance(opened, AlertOpened)
    assert opened.kind is AlertKind.SLOW_OR_STUCK
    assert opened.at == at(40)
    assert isinstance(closed, AlertClosed)
    assert closed.at == at(50)
    assert run(crawl, AnalysisContext(CFG))[1] == []
    site = Geofence(geofence_id="site:s", site_id="s", latitude=37.52, longitude=127.0, radius_m=5000)
    at_site = AnalysisContext(CFG, geofences=(site,), load=loaded.load)
    assert run(crawl, at_site)[1] == []


def test_loaded_too_long_without_arriving_and_closing_on_arrival_at_the_destination() -> None:
    site = Geofence(geofence_id="site:dst", site_id="dst", latitude=37.9, longitude=127.0, radius_m=200)
    load = Load(loaded_since=T0, destination_site_id="dst")
    ctx = AnalysisContext(CFG.model_copy(update={"geofence_dwell_s": 0}), geofences=(site,), load=load)
    route = [moving(m, 60, lat=37.5 + m * 0.0014) for m in range(0, 250, 10)]
    _, events = run([*route, moving(260, 0, lat=37.9), moving(280, 0, lat=37.9)], ctx)
    opened, closed = events
    assert isinstance(opened, AlertOpened)
    assert opened.kind is AlertKind.LOADED_TOO_LONG
    assert opened.at == at(240)
    assert isinstance(closed, AlertClosed)
    assert closed.at == at(260)


def test_offline_opens_by_the_clock_and_closes_when_fixes_return_for_the_dedup_window() -> None:
    ctx = AnalysisContext(CFG.model_copy(update={"offline_after_s": 600, "alert_dedup_s": 300}))
    state = advance(VehicleAnalysis(vehicle_id="v1"), [moving(0, 0)], ctx).state
    assert tick(state, at(9), ctx).events == []
    went_offline = tick(state, at(30), ctx)
    [opened] = went_offline.events
    assert isinstance(opened, AlertOpened)
    assert opened.kind is AlertKind.OFFLINE
    assert opened.at == at(10)
    assert went_offline.state.offline
    assert tick(went_offline.state, at(31), ctx).changed is False, "still offline: nothing new"
    back = advance(went_offline.state, [moving(40, 0)], ctx)
    assert [e for e in back.events if isinstance(e, AlertOpened | AlertClosed)] == []
    assert not back.state.offline
    assert tick(back.state, at(44), ctx).events == []
    closed = tick(back.state, at(46), ctx).events
    assert [(type(e), e.at) for e in closed] == [(AlertClosed, at(40))]  # type: ignore[attr-defined]


def test_offline_runs_on_receipt_time_so_a_late_backlog_still_shows_the_device_online() -> None:
    ctx = AnalysisContext(CFG.model_copy(update={"offline_after_s": 600, "alert_dedup_s": 0}))
    state = advance(VehicleAnalysis(vehicle_id="v1"), [moving(30, 0)], ctx).state
    offline = tick(state, at(45), ctx).state
    backlog = Sample(at=at(1), received_at=at(50), latitude=37.5, longitude=127.0, speed_kmh=0)
    outcome = advance(offline, [backlog], ctx)
    assert outcome.late == 1
    assert [(type(e), e.at) for e in outcome.events] == [(AlertClosed, at(50))]  # type: ignore[attr-defined]
    assert not outcome.state.offline


def test_a_gap_in_device_time_is_not_offline() -> None:
    ctx = AnalysisContext(CFG.model_copy(update={"offline_after_s": 600}))
    _, events = run([moving(0, 0), moving(30, 0)], ctx)
    assert events == []
