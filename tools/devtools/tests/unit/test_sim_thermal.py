"""The reefer thermal model: pull-down, door, defrost, the failing unit, noise."""

from __future__ import annotations

import itertools
import random

import pytest

from coldchain_devtools.sim_thermal import DEFAULT_PARAMS, ReeferUnit, ThermalParams, settle, unit_for

pytestmark = pytest.mark.unit
FROZEN = {"channel": "A", "zone": "frozen", "setpoint_celsius": -20.0}
CHILLED = {"channel": "B", "zone": "chilled", "setpoint_celsius": 3.0}
NO_DEFROST = ThermalParams(defrost_every_s=0)


def run(unit: ReeferUnit, seconds: float, dt_s: float = 5.0, door_open: bool = False) -> list[float]:
    """Step `unit` and return channel A's true temperature after each step."""
    out = []
    for _ in range(round(seconds / dt_s)):
        unit.step(dt_s, door_open)
        out.append(unit.compartments[0].celsius)
    return out


def test_settle_is_the_exact_first_order_solution_for_any_step() -> None:
    pulls = [(-20.0, 300.0)]
    one_big = settle(20.0, pulls, 600.0)
    many_small = 20.0
    for _ in range(600):
        many_small = settle(many_small, pulls, 1.0)
    assert one_big == pytest.approx(many_small)
    assert one_big == pytest.approx(-20 + 40 * 2.718281828**-2, abs=1e-6)
    assert settle(20.0, pulls, 1e9) == pytest.approx(-20.0), "a huge step lands on the target, stable"


def test_a_warm_compartment_pulls_down_to_its_setpoint_within_minutes() -> None:
    unit = unit_for([FROZEN], random.Random(1), params=NO_DEFROST)
    unit.compartments[0].celsius = 15.0
    temps = run(unit, 30 * 60)
    assert temps[round(5 * 60 / 5)] > -12, "not instantly"
    assert temps == sorted(temps, reverse=True), "monotonic approach, no overshoot"
    assert temps[-1] == pytest.approx(-20.0, abs=0.1)


def test_an_open_door_warms_the_probe_but_never_past_the_band_on_its_own() -> None:
    unit = unit_for([FROZEN, CHILLED], random.Random(1), params=NO_DEFROST)
    stop = run(unit, 90, door_open=True)
    assert -20 + 0.2 < stop[-1] < -19.5, "a 90 s stop: a few tenths of a degree"
    run(unit, 4 * 3600, door_open=True)  # held open for hours
    frozen, chilled = (c.celsius for c in unit.compartments)
    assert -20 < frozen < -18.2
    assert 3 < chilled < 4.0
    back = run(unit, 30 * 60)
    assert back[-1] == pytest.approx(-20.0, abs=0.05), "door shut: back to setpoint"


def test_defrost_comes_periodically_is_flagged_and_warms_a_little() -> None:
    params = ThermalParams(defrost_every_s=3600, defrost_s=300)
    unit = unit_for([FROZEN], random.Random(3), params=params)
    flags, temps = [], []
    for _ in range(round(3 * 3600 / 5)):
        flags.append(unit.defrosting())
        unit.step(5.0, False)
        temps.append(unit.compartments[0].celsius)
    starts = [i for i in range(1, len(flags)) if flags[i] and not flags[i - 1]]
    assert len(starts) in (2, 3)
    assert all(b - a == 3600 / 5 for a, b in itertools.pairwise(starts))
    assert sum(flags) * 5 == pytest.approx(len(starts) * 300, abs=310), "about 5 min each"
    assert max(temps) > -19, "the coil heater warms it noticeably"
    assert max(temps) < -18, "but stays inside the band (setpoint ± 2)"
    assert temps[starts[1] - 1] == pytest.approx(-20.0, abs=0.05), "pulled down again before the next"


def test_units_of_a_fleet_do_not_defrost_in_step() -> None:
    offsets = {unit_for([FROZEN], random.Random(seed)).defrost_offset_s for seed in range(5)}
    assert len(offsets) == 5


def test_the_failing_unit_warms_past_its_band_for_longer_than_the_grace_after_its_first_load() -> None:
    unit = unit_for([FROZEN, CHILLED], random.Random(2), fails=True, params=NO_DEFROST)
    run(unit, 3600)
    assert not unit.failed(), "no load yet: no failure"
    assert unit.compartments[0].celsius == pytest.approx(-20.0)
    unit.load()
    run(unit, DEFAULT_PARAMS.failure_after_s - 5)
    assert not unit.failed()
    assert unit.compartments[0].celsius == pytest.approx(-20.0)
    trace = []
    for _ in range(round(3600 / 5)):
        unit.step(5.0, False)
        frozen, chilled = (c.celsius for c in unit.compartments)
        trace.append((frozen > -18.0, chilled > 5.0))
    frozen_out = sum(f for f, _ in trace) * 5
    chilled_out = sum(c for _, c in trace) * 5
    grace = 300.0  # tracking's default TRACKING_EXCURSION_GRACE_S
    assert frozen_out > 3 * grace
    assert chilled_out > 3 * grace
    assert not unit.failed(), "the unit restarted"
    assert trace[-1] == (False, False), "and pulled down"
    unit.load()  # a later load does not fail it again
    run(unit, 3600)
    assert unit.compartments[0].celsius == pytest.approx(-20.0, abs=0.05)


def test_a_healthy_unit_never_fails() -> None:
    unit = unit_for([CHILLED], random.Random(2), params=NO_DEFROST)
    unit.load()
    temps = run(unit, 2 * 3600)
    assert max(temps) == pytest.approx(3.0)


def test_readings_one_per_channel_with_small_noise_and_setpoints() -> None:
    ambient = {"channel": "A", "zone": "ambient", "setpoint_celsius": None}
    unit = unit_for([FROZEN, CHILLED], random.Random(4))
    samples = [unit.readings() for _ in range(500)]
    assert [r["channel"] for r in samples[0]] == ["A", "B"]
    assert samples[0][1]["setpoint_celsius"] == 3.0
    frozen = [s[0]["celsius"] for s in samples]
    assert len(set(frozen)) > 2, "noisy"
    assert all(abs(t + 20) < 0.6 for t in frozen), "but a logger's noise, tenths of a degree"
    assert all(round(t, 1) == t for t in frozen)
    [reading] = unit_for([ambient], random.Random(4)).readings()
    assert "setpoint_celsius" not in reading
    assert abs(reading["celsius"] - 20) < 1
