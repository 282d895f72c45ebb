"""The truck simulator produces fixes the gateway accepts, in plausible places and bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_devtools.simulator import BANDS, make_fleet
from coldchain_gateway.schemas import GpsBatchIn

pytestmark = pytest.mark.unit
SEOUL_AREA = ((37.1, 37.8), (126.6, 127.4))  # lat, lon bounds around the anchors


def simulate(ticks: int, interval_s: float = 5.0) -> list[dict[str, object]]:
    fleet = make_fleet(20)
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    fixes = []
    for tick in range(ticks):
        for truck in fleet:
            truck.step(interval_s)
        fixes += [t.fix(start + timedelta(seconds=tick * interval_s)) for t in fleet]
    return fixes


def test_every_simulated_batch_is_valid_for_the_gateway() -> None:
    fixes = simulate(ticks=50)
    for offset in range(0, len(fixes), 20):
        GpsBatchIn.model_validate({"fixes": fixes[offset : offset + 20]})


def test_trucks_stay_around_seoul_at_urban_speeds() -> None:
    fixes = simulate(ticks=720)  # one hour
    (lat_lo, lat_hi), (lon_lo, lon_hi) = SEOUL_AREA
    assert all(lat_lo < f["latitude"] < lat_hi and lon_lo < f["longitude"] < lon_hi for f in fixes)  # type: ignore[operator]
    assert all(0 <= f["speed_kmh"] <= 70 for f in fixes)  # type: ignore[operator]


def test_over_an_hour_trucks_drive_and_also_park_with_the_engine_off() -> None:
    fixes = simulate(ticks=720)
    assert any(f["speed_kmh"] == 0 and f["ignition"] is False for f in fixes)
    assert sum(1 for f in fixes if f["speed_kmh"] > 0) > len(fixes) / 3


def test_reefer_temperatures_stay_near_the_band_of_the_body() -> None:
    fleet = make_fleet(20)
    for _ in range(720):
        for truck in fleet:
            truck.step(5.0)
            band = BANDS[truck.body]
            if band:
                assert abs(truck.temperature - band[0]) < 4 * band[1]
