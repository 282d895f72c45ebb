"""The truck simulator produces fixes the gateway accepts, in plausible places and bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coldchain_devtools import sim_fleet
from coldchain_devtools.simulator import make_fleet
from coldchain_gateway.schemas import GpsBatchIn

pytestmark = pytest.mark.unit
SEOUL_AREA = ((37.1, 37.8), (126.6, 127.4))  # lat, lon bounds around the anchors


def simulate(ticks: int, interval_s: float = 5.0) -> list[dict[str, Any]]:
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
    assert all(lat_lo < f["latitude"] < lat_hi and lon_lo < f["longitude"] < lon_hi for f in fixes)
    assert all(0 <= f["speed_kmh"] <= 70 for f in fixes)


def test_over_an_hour_trucks_drive_and_also_park_with_the_engine_off() -> None:
    fixes = simulate(ticks=720)
    assert any(f["speed_kmh"] == 0 and f["ignition"] is False for f in fixes)
    assert sum(1 for f in fixes if f["speed_kmh"] > 0) > len(fixes) / 3


def test_every_registered_compartment_reports_near_its_setpoint_and_doors_open_at_stops() -> None:
    fixes: list[dict[str, Any]] = simulate(ticks=720)
    for i in range(20):
        registered = sim_fleet.compartments(i)
        since_defrost = 99
        for f in (f for f in fixes if f["device_id"] == sim_fleet.device_id(i)):
            since_defrost = 0 if f["defrost"] else since_defrost + 1
            readings = f["temperatures"]
            assert [r["channel"] for r in readings] == [c["channel"] for c in registered]
            for reading, compartment in zip(readings, registered, strict=True):
                setpoint = compartment["setpoint_celsius"]
                if setpoint is None:
                    continue
                assert abs(reading["celsius"] - setpoint) < 5, (i, reading)
                if since_defrost > 60:  # after 5 minutes of pull-down that follow a defrost
                    assert abs(reading["celsius"] - setpoint) < 2, (i, reading)
    assert any(f["door_open"] for f in fixes)
    assert not all(f["door_open"] for f in fixes)
    assert any(f["defrost"] for f in fixes), "an hour sees some defrost"


def test_only_the_failing_truck_warms_past_its_band_after_its_pick_up() -> None:
    from coldchain_devtools.simulator import Stop

    hub, store = (37.2343, 127.3589), (37.3095, 127.3589)
    fleet = make_fleet(3, home=hub, failing_truck="sim-truck-03")
    for truck in fleet:
        truck.assign(1, [Stop(hub, 90, "o:pickup"), Stop(store, 90, "o:delivery")])
    warmest = [-99.0] * 3
    for _ in range(720):
        for n, truck in enumerate(fleet):
            truck.step(5.0)
            assert truck.reefer is not None
            if not truck.reefer.defrosting():
                warmest[n] = max(warmest[n], truck.reefer.compartments[0].celsius)
    frozen_limit = -18.0
    assert fleet[2].body == "frozen"
    assert warmest[2] > frozen_limit + 5
    assert all(w < -17 for w in warmest[:2] if w > -99), "the others hold their band (within defrost)"


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


def test_at_the_demos_pace_a_pick_up_planned_for_later_waits_with_the_doors_shut() -> None:
    """Tomorrow's load is not taken today: the truck waits at the hub until an hour before
    the planned arrival, then serves the stop as usual."""
    from coldchain_devtools.simulator import Stop

    hub, store = (37.2343, 127.3589), (37.2495, 127.3589)
    [truck] = make_fleet(1, home=hub)
    now = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    later = now + timedelta(hours=8)
    truck.assign(1, [Stop(hub, 90, "o:pickup", arrive_at=later), Stop(store, 90, "o:delivery")])
    for tick in range(120):
        truck.wall = now + timedelta(seconds=5 * tick)
        truck.step(5.0)
        assert not truck.fix(truck.wall)["door_open"]
    assert truck.served == set(), "ten minutes of waiting, hours before the planned pick-up"
    truck.wall = later - timedelta(minutes=59)
    truck.step(5.0)
    assert truck.served == {"o:pickup"}
