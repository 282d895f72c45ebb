"""Seeded synthetic days for tests and the benchmark (figures from DOMAIN facts).

`metro`: Seoul/Gyeonggi multi-drop. Vehicles start at four depots; orders are picked
up at cold-storage warehouses and delivered to sites scattered around the area
anchors; 1-12 pallets. `linehaul`: full truckloads of 10-16 pallets between the
Icheon/Yongin/Anseong cold-storage belt and Honam, Yeongnam and other regions, 70 %
outbound and 30 % backhaul towards the hub. Zones ~45/40/15 frozen/chilled/ambient,
bodies 45/40/15 (a fifth of the frozen ones dual-zone). The same seed gives the same day.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning.model import GeoPoint, Order, Problem, Stop, TimeWindow, Vehicle
from coldchain_servicekit.geo import haversine_m

KST = timezone(timedelta(hours=9), "KST")
Mode = Literal["metro", "linehaul"]

METRO_ANCHORS = {
    "Gangnam": (37.4979, 127.0276),
    "Gangseo": (37.5509, 126.8495),
    "Seongdong": (37.5633, 127.0365),
    "Jongno": (37.5735, 126.9788),
    "Eunpyeong": (37.6176, 126.9227),
    "Goyang": (37.6584, 126.8320),
    "Seongnam": (37.4449, 127.1388),
    "Anyang": (37.3943, 126.9568),
    "Bucheon": (37.5034, 126.7660),
    "Suwon": (37.2636, 127.0286),
    "Yongin": (37.2411, 127.1776),
    "Pyeongtaek": (36.9920, 127.1129),
}
METRO_WAREHOUSES = ("Gangseo", "Bucheon", "Goyang", "Seongnam", "Yongin", "Anyang", "Pyeongtaek", "Suwon")
METRO_DEPOTS = METRO_WAREHOUSES
HUBS = {"Icheon": (37.2720, 127.4350), "Yongin": (37.2300, 127.2100), "Anseong": (37.0080, 127.2800)}
REGIONS = {
    "Gwangju": (35.1595, 126.8526),
    "Jeonju": (35.8242, 127.1480),
    "Mokpo": (34.8118, 126.3922),
    "Suncheon": (34.9507, 127.4872),
    "Daegu": (35.8714, 128.6014),
    "Gyeongsan": (35.8251, 128.7415),
    "Busan": (35.1796, 129.0756),
    "Changwon": (35.2280, 128.6811),
    "Daejeon": (36.3504, 127.3845),
    "Cheongju": (36.6424, 127.4890),
}


def _near(rng: random.Random, lat_lon: tuple[float, float], km: float) -> GeoPoint:
    lat, lon = lat_lon
    return GeoPoint(round(lat + rng.uniform(-km, km) / 111.0, 5), round(lon + rng.uniform(-km, km) / 88.0, 5))


def _zone(rng: random.Random) -> TemperatureZone:
    r = rng.random()
    return (
        TemperatureZone.FROZEN
        if r < 0.45
        else TemperatureZone.CHILLED
        if r < 0.85
        else TemperatureZone.AMBIENT
    )


def _at(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), KST) + timedelta(hours=hours)


def _window(day: date, open_h: float, width_h: float) -> TimeWindow:
    return TimeWindow(_at(day, open_h).astimezone(UTC), _at(day, open_h + width_h).astimezone(UTC))


def _vehicles(rng: random.Random, mode: Mode, count: int, day: date) -> tuple[Vehicle, ...]:
    vehicles = []
    for i in range(count):
        r = rng.random()
        body = BodyType.FROZEN if r < 0.45 else BodyType.CHILLED if r < 0.85 else BodyType.AMBIENT
        if body is BodyType.FROZEN and rng.random() < 0.2:
            body = BodyType.DUAL
        if mode == "metro":
            big = rng.random() < 0.5
            pallets, kg = (rng.randint(12, 14), 5000.0) if big else (rng.randint(8, 10), 3500.0)
            depot_name = METRO_DEPOTS[i % len(METRO_DEPOTS)]  # trucks are based at the warehouses
            depot = GeoPoint(*METRO_ANCHORS[depot_name])
            start_h = rng.choice((5.0, 5.0, 7.0, 7.0, 10.0, 12.0))
            shift, max_duration = _window(day, start_h, 10.0), timedelta(hours=10)
        else:
            trailer = rng.random() < 0.7
            pallets, kg = (rng.choice((17, 20)), 12000.0) if trailer else (rng.randint(12, 14), 5000.0)
            depot = GeoPoint(*HUBS[list(HUBS)[i % len(HUBS)]])
            shift, max_duration = _window(day, 3.0, 20.0), timedelta(hours=16)
        compartments = (pallets // 2, pallets - pallets // 2) if body is BodyType.DUAL else (pallets,)
        vehicles.append(
            Vehicle(
                vehicle_id=f"{mode[0]}v{i:03d}",
                body_type=body,
                compartments=compartments,
                weight_capacity_kg=kg,
                depot=depot,
                shift=shift,
                max_route_duration=max_duration,
                has_forklift=rng.random() < 0.3,
            )
        )
    return tuple(vehicles)


def _metro_pallets(rng: random.Random) -> int:
    r = rng.random()
    return rng.randint(1, 3) if r < 1 / 3 else rng.randint(4, 7) if r < 0.83 else rng.randint(8, 12)


def _metro_order(rng: random.Random, i: int, day: date) -> Order:
    warehouse = rng.choice(METRO_WAREHOUSES)
    # Multi-drop: a warehouse serves the sites of its own part of the metro area.
    home = METRO_ANCHORS[warehouse]
    anchor = rng.choice([a for a, p in METRO_ANCHORS.items() if haversine_m(home, p) < 15_000.0])
    slot = rng.random()
    if slot < 0.45:  # morning delivery
        pickup_open, delivery = rng.uniform(5.0, 7.0), _window(day, 8.0, 4.0)
    elif slot < 0.85:  # afternoon
        pickup_open, delivery = rng.uniform(7.0, 10.0), _window(day, 13.0, 4.0)
    else:  # evening
        pickup_open, delivery = rng.uniform(12.0, 15.0), _window(day, 18.0, 4.0)
    pallets = _metro_pallets(rng)
    return Order(
        order_id=f"mo{i:04d}",
        zone=_zone(rng),
        pallets=pallets,
        weight_kg=float(pallets * rng.randint(80, 120)),
        pickup=Stop(
            _near(rng, METRO_ANCHORS[warehouse], 1.0),
            _window(day, round(pickup_open * 4) / 4, 4.0),
            timedelta(minutes=10),
        ),
        delivery=Stop(
            _near(rng, METRO_ANCHORS[anchor], 4.0), delivery, timedelta(minutes=20), rng.random() < 0.1
        ),
        priority=rng.randint(1, 10),
    )


def _linehaul_order(rng: random.Random, i: int, day: date) -> Order:
    hub = _near(rng, rng.choice(list(HUBS.values())), 2.0)
    region = _near(rng, rng.choice(list(REGIONS.values())), 6.0)
    pallets = rng.randint(10, 16)
    if rng.random() < 0.7:  # outbound from the cold-storage belt
        origin, dest = hub, region
        pickup, delivery = (
            _window(day, rng.uniform(3.0, 7.0), 3.0),
            _window(day, rng.uniform(10.0, 13.0), 8.0),
        )
    else:  # backhaul to the hub
        origin, dest = region, hub
        pickup, delivery = (
            _window(day, rng.uniform(9.0, 13.0), 4.0),
            _window(day, rng.uniform(15.0, 17.0), 6.0),
        )
    return Order(
        order_id=f"lo{i:04d}",
        zone=_zone(rng),
        pallets=pallets,
        weight_kg=float(pallets * rng.randint(80, 120)),
        pickup=Stop(origin, pickup, timedelta(minutes=30), rng.random() < 0.2),
        delivery=Stop(dest, delivery, timedelta(minutes=30), rng.random() < 0.2),
        priority=rng.randint(1, 10),
    )


def generate(
    mode: Mode, *, seed: int = 0, vehicles: int = 60, orders: int = 500, day: date | None = None
) -> Problem:
    rng = random.Random(f"{mode}-{seed}")
    day = day or date(2026, 11, 27)
    fleet = _vehicles(rng, mode, vehicles, day)
    make = _metro_order if mode == "metro" else _linehaul_order
    return Problem(vehicles=fleet, orders=tuple(make(rng, i, day) for i in range(orders)))


def new_order(
    problem: Problem, mode: Mode, *, seed: int, index: int, not_before: datetime | None = None
) -> Order:
    """One more order of the same kind, for insertion benchmarks.

    With `not_before`, an order whose pick-up window would open earlier has both windows
    moved later by the same amount (an order phoned in during the day).
    """
    rng = random.Random(f"{mode}-{seed}-new-{index}")
    day = problem.epoch.astimezone(KST).date()
    make = _metro_order if mode == "metro" else _linehaul_order
    order = make(rng, index, day)
    if not_before is not None and order.pickup.window.start < not_before:
        late = not_before - order.pickup.window.start
        order = replace(
            order,
            pickup=replace(order.pickup, window=_later(order.pickup.window, late)),
            delivery=replace(order.delivery, window=_later(order.delivery.window, late)),
        )
    return Order(
        order_id=f"new-{order.order_id}",
        zone=order.zone,
        pallets=order.pallets,
        weight_kg=order.weight_kg,
        pickup=order.pickup,
        delivery=order.delivery,
        priority=order.priority,
    )


def _later(window: TimeWindow, by: timedelta) -> TimeWindow:
    return TimeWindow(window.start + by, window.end + by)
