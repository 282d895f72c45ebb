"""Fleet KPIs from trips, orders on board and excursions (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_tracking.reports.kpis import Carried, ExcursionSpan, Trip, as_json, compute

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# Vehicle v1: depot -> pick-up (empty, 10 km), pick-up -> drop-off (loaded, 30 km), back (empty, 20 km).
TRIPS = [
    Trip("v1", h(8), h(9), 10.0),
    Trip("v1", h(9.5), h(11), 30.0),
    Trip("v1", h(11.5), h(12), 20.0),
]
ORDER = Carried(
    "v1", picked_up_at=h(9.52), delivered_at=h(11.52), pallets=6, pickup_on_time=True, delivery_on_time=True
)
LATE = Carried("v2", picked_up_at=h(8), delivered_at=h(10), pallets=2, delivery_on_time=False)


def kpis() -> dict:  # type: ignore[type-arg]
    excursions = [ExcursionSpan("v1", "A", h(10), h(10.25)), ExcursionSpan("v1", "A", h(23.5), None)]
    result = compute(
        [*TRIPS, Trip("v2", h(7), h(10.5), 50.0)], [ORDER, LATE], excursions, {"v1": 12}, h(0), h(24)
    )
    return as_json(result)


def test_empty_km_are_the_trips_with_nothing_on_board_at_their_midpoint() -> None:
    body = kpis()
    v1 = body["vehicles"][0]
    assert (v1["km"], v1["empty_km"]) == (60.0, 30.0)
    assert body["km"] == 110.0
    assert body["empty_km"] == 30.0  # v2's trip was loaded throughout its midpoint
    assert body["empty_running_rate"] == pytest.approx(30 / 110, abs=1e-4)


def test_on_time_rate_counts_deliveries_of_the_period_with_a_known_arrival() -> None:
    orders = kpis()["orders"]
    assert (orders["delivered"], orders["delivered_on_time"], orders["delivered_late"]) == (2, 1, 1)
    assert orders["on_time_rate"] == 0.5
    assert orders["pickup_on_time_rate"] == 1.0


def test_utilisation_is_loaded_time_over_on_duty_time_and_pallet_hours_over_capacity() -> None:
    v1 = kpis()["vehicles"][0]
    assert v1["on_duty_hours"] == pytest.approx(4.0)
    assert v1["loaded_hours"] == pytest.approx(2.0)
    body = compute(TRIPS, [ORDER], [], {"v1": 12}, h(0), h(24))
    out = as_json(body)
    assert out["time_utilisation"] == 0.5
    assert out["pallet_utilisation"] == pytest.approx(6 * 2 / (12 * 4), abs=1e-4)


def test_excursion_minutes_are_clipped_to_the_period_and_an_open_one_runs_to_its_end() -> None:
    v1 = kpis()["vehicles"][0]
    assert v1["excursion_minutes"] == {"A": pytest.approx(15 + 30)}


def test_orders_per_vehicle_and_an_empty_period() -> None:
    assert kpis()["orders_per_vehicle"] == 1.0
    empty = as_json(compute([], [], [], {}, h(0), h(1)))
    assert (empty["km"], empty["empty_running_rate"], empty["vehicles"]) == (0, None, [])
    assert empty["orders"]["on_time_rate"] is None
