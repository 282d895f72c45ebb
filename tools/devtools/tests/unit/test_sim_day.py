"""Pure parts of the simulated day: pacing of compressed time, the day's orders, the table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coldchain_devtools.sim_day import DayRun, DaySpec
from coldchain_devtools.sim_day_orders import day_orders
from coldchain_devtools.sim_day_report import summary, table
from coldchain_devtools.sim_pacing import Pacing

pytestmark = pytest.mark.unit
START = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)


def test_pacing_runs_simulated_time_speed_times_faster_than_the_wall_clock() -> None:
    pacing = Pacing(START, timedelta(seconds=30), speed=300)
    assert pacing.at(120) == START + timedelta(hours=1)
    assert pacing.due_s(120) == pytest.approx(12.0)  # an hour in 12 wall seconds
    assert pacing.ticks_until(START + timedelta(hours=1, seconds=1)) == 121


def test_pacing_refuses_naive_starts_and_non_positive_steps() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Pacing(START.replace(tzinfo=None), timedelta(seconds=30), 300)
    with pytest.raises(ValueError, match="step must be positive"):
        Pacing(START, timedelta(0), 300)


def test_day_orders_are_the_same_on_every_day_for_one_seed() -> None:
    a, b = day_orders(date(2026, 12, 4), 20, seed=5), day_orders(date(2026, 12, 5), 20, seed=5)
    times = [(o["pickup"]["window"]["start"][11:], o["dropoff"]["site_id"], o["pallets"]) for o in a]
    assert times == [(o["pickup"]["window"]["start"][11:], o["dropoff"]["site_id"], o["pallets"]) for o in b]
    assert day_orders(date(2026, 12, 4), 20, seed=6) != a


def test_day_orders_leave_time_to_drive_between_pick_up_and_drop_off() -> None:
    for order in day_orders(date(2026, 12, 4), 150):
        pickup = datetime.fromisoformat(order["pickup"]["window"]["start"])
        drop = datetime.fromisoformat(order["dropoff"]["window"]["start"])
        assert timedelta(hours=1) <= drop - pickup <= timedelta(hours=3)
        assert 6 <= pickup.hour <= 13


def _drop(arrived: str | None) -> dict[str, object]:
    """Drop-off window 10:00-13:00; the truck arrived at `arrived` (or not yet)."""
    return {
        "dropoff_arrived_at": f"2026-12-04T{arrived}:00+09:00" if arrived else None,
        "dropoff": {"window": {"start": "2026-12-04T10:00:00+09:00", "end": "2026-12-04T13:00:00+09:00"}},
    }


def _run() -> DayRun:
    run = DayRun(engine="greedy", spec=DaySpec(day=date(2026, 12, 4)), placed=3)
    run.orders = [
        {"status": "delivered", "delivery_on_time": True, "vehicle_id": "t1", **_drop("10:30")},
        {"status": "delivered", "delivery_on_time": False, "vehicle_id": "t1", **_drop("09:15")},
        {"status": "assigned", "delivery_on_time": None, "vehicle_id": "t2", **_drop(None)},
    ]
    run.kpis = {
        "orders": {"delivered": 2, "delivered_on_time": 1},
        "km": 120.0,
        "empty_km": 30.0,
        "empty_running_rate": 0.25,
        "time_utilisation": 0.5,
        "pallet_utilisation": None,
        "vehicles_active": 2,
        "excursion_minutes": 12.5,
        "vehicles": [{"vehicle_id": "t1", "excursion_minutes": {"A": 12.5, "B": 0}}],
    }
    run.plans = [{"kind": "breakdown", "status": "done"}, {"kind": "request", "status": "done"}]
    return run


def test_summary_counts_what_the_orders_api_and_tracking_recorded() -> None:
    s = summary(_run())
    assert (s["delivered_on_time"], s["delivered_late"], s["not_delivered"]) == (1, 1, 1)
    assert s["delivered_early"] == 1  # the late one came before the window opened
    assert s["excursion_minutes_by_compartment"] == {"t1:A": 12.5}
    assert s["replans"] == 1
    rendered = table([s, {**s, "engine": "optimiser"}])
    assert "optimiser" in rendered.splitlines()[0]
    assert "t1:A 12" in rendered
    assert "n/a" in rendered  # no pallet figure: said so, not 0


def test_a_truck_on_a_simulated_clock_leaves_a_stop_at_its_planned_departure_not_before() -> None:
    from coldchain_devtools.simulator import Stop, make_fleet

    hub = (37.2343, 127.3589)
    truck = make_fleet(1, home=hub)[0]
    leave = START + timedelta(minutes=40)
    truck.assign(
        1, [Stop(hub, 600.0, "o1:pickup", leave_at=leave), Stop((37.5, 127.0), 600.0, "o1:delivery")]
    )
    clock = START
    while clock < START + timedelta(hours=1) and truck.position[0] < hub[0] + 0.001:
        truck.clock = clock
        truck.step(30.0)
        clock += timedelta(seconds=30)
    assert leave <= clock <= leave + timedelta(minutes=2)  # served in 10 min, waited for 06:10
