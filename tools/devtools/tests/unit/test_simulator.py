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


def test_a_following_truck_waits_at_its_depot_then_serves_its_stops_and_drives_home() -> None:
    from coldchain_devtools.simulator import Stop
    from coldchain_servicekit.geo import haversine_m

    hub, store = (37.2343, 127.3589), (37.2495, 127.3589)
    [truck] = make_fleet(1, home=hub)
    for _ in range(60):
        truck.step(5.0)
    assert haversine_m(truck.position, hub) < 50
    assert truck.speed_kmh == 0
    truck.assign(1, [Stop(hub, 90, "o:pickup"), Stop(store, 90, "o:delivery")])
    at_store = False
    for _ in range(400):
        truck.step(5.0)
        at_store = at_store or (haversine_m(truck.position, store) < 1 and truck.speed_kmh == 0)
    assert at_store, "it stopped at the store"
    assert truck.served == {"o:pickup", "o:delivery"}
    assert haversine_m(truck.position, hub) < 50, "and went home"
    truck.assign(2, [Stop(store, 90, "o:delivery")])
    assert truck.stops == [], "a served stop is not driven to again"
    truck.assign(1, [Stop(store, 90, "x:delivery")])
    assert truck.stops == [], "an older route revision is ignored"
