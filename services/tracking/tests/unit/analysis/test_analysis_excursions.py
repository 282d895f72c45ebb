"""Temperature excursions: band from zone or setpoint, grace, hysteresis, defrost, peak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import (
    ChannelState,
    Compartment,
    ExcursionClosed,
    ExcursionOpened,
    ReeferReading,
    TemperatureZone,
)
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext, Load
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CHILLED = AnalysisContext(
    AnalysisConfig(lateness_s=0),
    compartments=(Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=8),),
)


def reading(
    minute: float, celsius: float | None, defrost: bool = False, state: ChannelState = ChannelState.OK
) -> Sample:
    return Sample(
        at=T0 + timedelta(minutes=minute),
        latitude=37.5,
        longitude=127.0,
        speed_kmh=0,
        defrost=defrost,
        temperatures=(ReeferReading(channel="A", celsius=celsius, state=state),),
    )


def run(samples: list[Sample], ctx: AnalysisContext = CHILLED) -> tuple[VehicleAnalysis, list[object]]:
    state, events = VehicleAnalysis(vehicle_id="v1"), []
    for s in samples:
        outcome = advance(state, [s], ctx)
        state, events = outcome.state, events + outcome.events
    return state, [e for e in events if isinstance(e, ExcursionOpened | ExcursionClosed)]


def test_out_of_band_shorter_than_the_grace_is_no_excursion() -> None:
    _, events = run([reading(0, 3), reading(1, 7), reading(3, 8), reading(4, 4)])
    assert events == []


def test_excursion_opens_after_the_grace_and_closes_with_duration_and_peak() -> None:
    samples = [reading(0, 3), reading(1, 7), reading(3, 9), reading(6, 8), reading(8, 6), reading(10, 4)]
    state, events = run(samples)
    opened, closed = events
    assert isinstance(opened, ExcursionOpened)
    assert isinstance(closed, ExcursionClosed)
    assert opened.started_at == T0 + timedelta(minutes=1)
    assert opened.at == T0 + timedelta(minutes=6)  # started + 5 min grace
    assert (opened.band_low_celsius, opened.band_high_celsius, opened.zone) == (0, 5, TemperatureZone.CHILLED)
    assert closed.excursion_id == opened.excursion_id
    assert closed.duration_s == 9 * 60
    assert closed.peak_celsius == 9
    assert state.channels["A"].excursion is None


def test_hysteresis_a_reading_just_inside_the_band_keeps_the_excursion_open() -> None:
    samples = [reading(0, 7), reading(6, 7), reading(7, 4.8), reading(8, 4.6), reading(9, 4.4)]
    _, events = run(samples)
    _opened, closed = events
    assert isinstance(closed, ExcursionClosed)
    assert closed.at == T0 + timedelta(minutes=9)


def test_no_excursion_while_defrosting_and_the_grace_restarts_after() -> None:
    samples = [reading(0, 3), reading(1, 8, defrost=True), reading(10, 9, defrost=True), reading(12, 7)]
    _, events = run([*samples, reading(16, 6)])
    assert events == [], "defrost readings never count towards the grace"
    _, events = run([*samples, reading(17, 6)])
    assert [type(e) for e in events] == [ExcursionOpened]
    assert events[0].started_at == T0 + timedelta(minutes=12)  # type: ignore[attr-defined]


def test_a_disconnected_probe_is_no_reading_and_does_not_close_an_excursion() -> None:
    samples = [reading(0, 8), reading(6, 8), reading(7, None, state=ChannelState.PROBE_DISCONNECTED)]
    state, events = run(samples)
    assert [type(e) for e in events] == [ExcursionOpened]
    assert state.channels["A"].excursion is not None


def test_the_loads_setpoint_overrides_the_zone_band() -> None:
    load = Load(loaded_since=T0, setpoints={"A": -20.0})
    ctx = AnalysisContext(AnalysisConfig(lateness_s=0), compartments=CHILLED.compartments, load=load)
    _, events = run([reading(0, 2), reading(6, 2)], ctx)  # fine for chilled, far too warm for -20 ± 2
    [opened] = events
    assert isinstance(opened, ExcursionOpened)
    assert (opened.band_low_celsius, opened.band_high_celsius) == (
        -22,
        -18,
    )


def test_a_channel_without_a_zone_or_setpoint_is_unmonitored() -> None:
    _, events = run([reading(0, 30), reading(20, 30)], AnalysisContext(AnalysisConfig(lateness_s=0)))
    assert events == []
