"""The fleet clock: the newest device time seen, never behind the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_dispatch.clock import FleetClock

pytestmark = pytest.mark.unit
WALL = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_fleet_clock_is_the_wall_clock_until_a_fix_is_ahead_of_it() -> None:
    clock = FleetClock(wall=lambda: WALL)
    assert clock() == WALL
    clock.observe(WALL - timedelta(minutes=3))  # a fix from the past never moves it back
    assert clock() == WALL


def test_fleet_clock_follows_the_newest_device_time_ahead_of_the_wall_clock() -> None:
    clock = FleetClock(wall=lambda: WALL)
    clock.observe(WALL + timedelta(hours=20))
    clock.observe(WALL + timedelta(hours=19))  # out of order: the newest stays
    assert clock() == WALL + timedelta(hours=20)
