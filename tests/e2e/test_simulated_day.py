"""A small simulated day (`make simulate-day`'s code, 3 trucks, 8 orders) on a system of its
own: the KPI table must agree with what the orders service and tracking recorded."""

from __future__ import annotations

from collections import Counter

import pytest

from coldchain_devtools.sim_day import DaySpec, tomorrow
from coldchain_devtools.sim_day_report import summary, table
from coldchain_devtools.sim_system import simulate_engine
from coldchain_devtools.testing import LOCAL_DIR

pytestmark = pytest.mark.e2e


def test_small_simulated_day_table_agrees_with_order_and_tracking_events() -> None:
    spec = DaySpec(day=tomorrow(), trucks=3, orders=8, seed=3, speed=1500, step_s=60, time_limit_s=2)
    run = simulate_engine(spec, "greedy", LOCAL_DIR / "simulate-day-test", say=print)
    s = summary(run)
    print(table([s]))

    delivered = [o for o in run.orders if o["status"] == "delivered"]
    assert delivered, f"the day delivered nothing: {s}"
    # The table's order figures are the orders API's; tracking's projection of the same
    # order events (its /v1/kpis) must count the same deliveries and the same on-time ones.
    assert s["delivered"] == len(delivered) == s["tracking_delivered"]
    assert s["delivered_on_time"] == s["tracking_delivered_on_time"]
    assert s["delivered_on_time"] + s["delivered_late"] == s["delivered"]
    assert s["delivered"] + s["failed"] + s["not_delivered"] == s["orders_accepted"] == spec.orders
    # Per vehicle too: tracking credits each delivery to the truck the orders service names.
    by_vehicle = Counter(o["vehicle_id"] for o in delivered)
    credited = {v["vehicle_id"]: v["delivered"] for v in run.kpis["vehicles"] if v["delivered"]}
    assert credited == dict(by_vehicle)
    # Trucks drove (tracking's trips) and a delivered order's truck has km.
    km = {v["vehicle_id"]: v["km"] for v in run.kpis["vehicles"]}
    assert all(km.get(vid, 0) > 0 for vid in by_vehicle), km
    assert s["km"] >= s["empty_km"] >= 0
    assert s["failed_posts"] == 0
