"""The simulated operator's fleet: DOMAIN.md's mix, bound to the simulator's devices, and
every vehicle one the vehicle API accepts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from coldchain_devtools import sim_fleet, sim_orders
from coldchain_devtools.simulator import make_fleet
from coldchain_orders.vehicle_rules import problems
from coldchain_orders.vehicle_schemas import VehicleIn

pytestmark = pytest.mark.unit


def test_twenty_trucks_have_the_domain_mix_with_dual_zone_ones() -> None:
    fleet = sim_fleet.vehicles(20, sim_orders.HUB)
    assert Counter(v["body_type"] for v in fleet.values()) == {
        "frozen": 7,
        "dual": 2,
        "chilled": 8,
        "ambient": 3,
    }
    for body in fleet.values():
        assert problems(VehicleIn.model_validate(body)) == [], body["name"]
        assert body["depot_site_id"] == sim_orders.HUB


def test_each_vehicle_is_bound_to_the_simulated_device_reporting_its_channels() -> None:
    fleet = sim_fleet.vehicles(20, sim_orders.HUB)
    trucks = make_fleet(20)
    devices = [d for v in fleet.values() for d in v["device_ids"]]
    assert devices == [t.device_id for t in trucks]
    for vehicle, truck in zip(fleet.values(), trucks, strict=True):
        assert vehicle["body_type"] == truck.body
        reported = {r["channel"] for r in truck.fix(datetime(2026, 12, 3)).get("temperatures", [])}
        assert reported == {c["channel"] for c in vehicle["compartments"]}


def test_todays_orders_open_after_the_time_they_are_placed() -> None:
    now = datetime(2026, 12, 3, 14, 0, tzinfo=sim_orders.SEOUL)
    orders = sim_orders.orders_for(now.date(), list(sim_orders.ANCHORS), 30, earliest=now)
    starts = [datetime.fromisoformat(o["pickup"]["window"]["start"]) for o in orders]
    assert min(starts) >= now
    assert max(starts) <= now + timedelta(hours=2)
