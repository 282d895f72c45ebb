"""Tracking's pure rules: latest fix per vehicle, motion, offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import FixAccepted, Motion
from coldchain_tracking.domain import as_seen_at, is_newer, latest_per_vehicle, motion_of, state_from_fix

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def fix(vehicle: str, at: datetime, speed: float | None = 30.0, ignition: bool | None = True) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=f"d-{vehicle}",
        source="test",
        device_time=at,
        received_at=at,
        latitude=37.5,
        longitude=127.0,
        speed_kmh=speed,
        ignition=ignition,
    )


def test_latest_per_vehicle_takes_the_newest_device_time_whatever_the_order() -> None:
    batch = [
        fix("a", T0 + timedelta(seconds=10)),
        fix("a", T0),
        fix("b", T0),
        fix("a", T0 + timedelta(seconds=5)),
    ]
    latest = latest_per_vehicle(batch)
    assert latest["a"].device_time == T0 + timedelta(seconds=10)
    assert latest["b"].device_time == T0


def test_a_duplicate_is_not_newer() -> None:
    assert not is_newer(T0, T0)
    assert is_newer(T0 + timedelta(microseconds=1), T0)
    assert is_newer(T0, None)


@pytest.mark.parametrize(
    ("speed", "ignition", "motion"),
    [
        (30.0, True, Motion.MOVING),
        (0.0, True, Motion.IDLE),
        (0.0, False, Motion.STOPPED),
        (None, None, Motion.STOPPED),
    ],
)
def test_motion_from_speed_and_ignition(speed: float | None, ignition: bool | None, motion: Motion) -> None:
    assert motion_of(speed, ignition, moving_speed_kmh=5.0) == motion


def test_state_is_offline_when_the_last_fix_is_too_old() -> None:
    state = state_from_fix(fix("a", T0), moving_speed_kmh=5.0)
    assert as_seen_at(state, T0 + timedelta(minutes=9), offline_after_s=600).motion == Motion.MOVING
    assert as_seen_at(state, T0 + timedelta(minutes=11), offline_after_s=600).motion == Motion.OFFLINE


def test_state_links_back_to_the_fix_that_caused_it() -> None:
    source = fix("a", T0)
    assert state_from_fix(source, 5.0).causation_id == source.event_id
