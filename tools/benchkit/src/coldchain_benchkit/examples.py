"""Builders for tiny instances on a straight east-west line, where optima are obvious.

With `LINE_TRAVEL` (no circuity, 60 km/h flat) a point `x` km east of the origin is
`x` minutes away per km, so a reader can check any plan by hand. Used by the tests
and handy in a REPL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning.model import GeoPoint, Order, Problem, Stop, TimeWindow, Vehicle
from coldchain_dispatch.planning.travel import HaversineTravel, SpeedProfile

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LINE_TRAVEL = HaversineTravel(
    circuity=1.0, speed=SpeedProfile(urban_kmh=60.0, highway_kmh=60.0, urban_km=0.0)
)
_LAT = 37.5
_KM_PER_DEGREE_LON = 111.19492664455873 * 0.7933533402912352  # cos(37.5 degrees)


def at(x_km: float) -> GeoPoint:
    return GeoPoint(_LAT, round(127.0 + x_km / _KM_PER_DEGREE_LON, 9))


def hours(h0: float, h1: float) -> TimeWindow:
    return TimeWindow(T0 + timedelta(hours=h0), T0 + timedelta(hours=h1))


def order(
    order_id: str,
    pickup_km: float,
    delivery_km: float,
    *,
    zone: TemperatureZone = TemperatureZone.CHILLED,
    pallets: int = 2,
    weight_kg: float = 200.0,
    pickup_window: TimeWindow | None = None,
    delivery_window: TimeWindow | None = None,
    service_min: float = 0.0,
    forklift: bool = False,
    priority: int = 5,
) -> Order:
    service = timedelta(minutes=service_min)
    return Order(
        order_id=order_id,
        zone=zone,
        pallets=pallets,
        weight_kg=weight_kg,
        pickup=Stop(at(pickup_km), pickup_window or hours(0, 10), service),
        delivery=Stop(at(delivery_km), delivery_window or hours(0, 10), service, forklift),
        priority=priority,
    )


def vehicle(
    vehicle_id: str,
    *,
    depot_km: float = 0.0,
    body: BodyType = BodyType.CHILLED,
    compartments: tuple[int, ...] = (10,),
    weight_kg: float = 5000.0,
    shift: TimeWindow | None = None,
    max_hours: float = 10.0,
    forklift: bool = False,
    start_km: float | None = None,
    onboard: tuple[str, ...] = (),
) -> Vehicle:
    return Vehicle(
        vehicle_id=vehicle_id,
        body_type=body,
        compartments=compartments,
        weight_capacity_kg=weight_kg,
        depot=at(depot_km),
        shift=shift or hours(0, 10),
        max_route_duration=timedelta(hours=max_hours),
        has_forklift=forklift,
        start=None if start_km is None else at(start_km),
        onboard=onboard,
    )


def problem(vehicles: list[Vehicle], orders: list[Order]) -> Problem:
    return Problem(tuple(vehicles), tuple(orders), LINE_TRAVEL)
