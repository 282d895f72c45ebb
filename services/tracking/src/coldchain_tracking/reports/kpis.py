"""Fleet KPIs over a period, from what happened (pure): trips, orders on board, excursions.

Definitions (DOMAIN.md's, made exact):
- on-time rate: delivered orders whose arrival at the drop-off was inside its window ÷
  delivered orders with a known arrival (orders' `OrderDelivered.on_time`); the same for
  pick-ups. An order counts in the period it was delivered (delivery departure in [from, to)).
- km: distance of the trips that started in the period (tracking's trip distance, GPS
  drift while standing excluded). Empty km: those of the trips with nothing on board at
  their midpoint (an order is on board from its pick-up departure to its delivery
  departure; trips run between stops, so a trip is loaded or empty as a whole, and the
  midpoint avoids the seconds around a geofence exit).
- utilisation: time — hours with something on board ÷ on-duty hours, on duty being each
  vehicle's span from its first trip start to its last trip end in the period; pallets —
  pallet-hours on board ÷ (pallet capacity × on-duty hours). Both clipped to the period.
- excursion minutes: the part of each excursion inside the period (an open one up to `to`).
- orders per vehicle: delivered orders ÷ vehicles active in the period (drove, delivered, or
  had an excursion).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Trip:
    vehicle_id: str
    started_at: datetime
    ended_at: datetime | None
    distance_km: float | None


@dataclass(frozen=True, slots=True)
class Carried:
    """One order as far as the KPIs need it."""

    vehicle_id: str
    picked_up_at: datetime
    delivered_at: datetime | None
    pallets: int | None = None
    pickup_on_time: bool | None = None
    delivery_on_time: bool | None = None


@dataclass(frozen=True, slots=True)
class ExcursionSpan:
    vehicle_id: str
    channel: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class VehicleKpis:
    vehicle_id: str
    km: float = 0.0
    empty_km: float = 0.0
    delivered: int = 0
    delivered_on_time: int = 0
    on_duty_h: float = 0.0
    loaded_h: float = 0.0
    pallet_h: float = 0.0
    capacity_pallets: float | None = None
    excursion_minutes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Kpis:
    start: datetime
    end: datetime
    vehicles: tuple[VehicleKpis, ...]
    delivered: int
    delivered_on_time: int
    delivered_late: int
    pickups: int
    pickups_on_time: int
    pickups_late: int


def _hours(span: timedelta) -> float:
    return max(span.total_seconds(), 0.0) / 3600


def _clip(a: datetime, b: datetime, lo: datetime, hi: datetime) -> timedelta:
    return max(min(b, hi) - max(a, lo), timedelta(0))


def _on_board(orders: Iterable[Carried], at: datetime) -> bool:
    return any(o.picked_up_at <= at and (o.delivered_at is None or o.delivered_at > at) for o in orders)


def _vehicle(
    vehicle_id: str,
    trips: Sequence[Trip],
    orders: Sequence[Carried],
    excursions: Sequence[ExcursionSpan],
    capacity: float | None,
    start: datetime,
    end: datetime,
) -> VehicleKpis:
    km = empty = 0.0
    for trip in trips:
        distance = trip.distance_km or 0.0
        km += distance
        midpoint = trip.started_at + ((trip.ended_at or trip.started_at) - trip.started_at) / 2
        if not _on_board(orders, midpoint):
            empty += distance
    duty_from = max(min((t.started_at for t in trips), default=end), start)
    duty_to = min(max((t.ended_at or end for t in trips), default=start), end)
    on_duty = _hours(duty_to - duty_from) if trips else 0.0
    loaded = _hours(_union_within(orders, duty_from, duty_to)) if trips else 0.0
    pallet_h = sum(
        (o.pallets or 0) * _hours(_clip(o.picked_up_at, o.delivered_at or end, duty_from, duty_to))
        for o in orders
    )
    delivered = [o for o in orders if o.delivered_at is not None and start <= o.delivered_at < end]
    minutes: dict[str, float] = {}
    for e in excursions:
        part = _clip(e.started_at, e.ended_at or end, start, end).total_seconds() / 60
        minutes[e.channel] = round(minutes.get(e.channel, 0.0) + part, 3)
    return VehicleKpis(
        vehicle_id=vehicle_id,
        km=round(km, 3),
        empty_km=round(empty, 3),
        delivered=len(delivered),
        delivered_on_time=sum(1 for o in delivered if o.delivery_on_time),
        on_duty_h=round(on_duty, 4),
        loaded_h=round(loaded, 4),
        pallet_h=round(pallet_h, 4) if trips else 0.0,
        capacity_pallets=capacity,
        excursion_minutes=minutes,
    )


def _union_within(orders: Sequence[Carried], lo: datetime, hi: datetime) -> timedelta:
    """Length of the union of the orders' on-board intervals, inside [lo, hi]."""
    spans = sorted(
        (max(o.picked_up_at, lo), min(o.delivered_at or hi, hi)) for o in orders if o.picked_up_at < hi
    )
    total, cursor = timedelta(0), lo
    for a, b in spans:
        a = max(a, cursor)
        if b > a:
            total += b - a
            cursor = b
    return total


def compute(
    trips: Sequence[Trip],
    orders: Sequence[Carried],
    excursions: Sequence[ExcursionSpan],
    capacities: Mapping[str, float],
    start: datetime,
    end: datetime,
) -> Kpis:
    """KPIs over [start, end). `orders` are those on board at some time in the period."""
    ids = sorted(
        {t.vehicle_id for t in trips}
        | {o.vehicle_id for o in orders if o.delivered_at and start <= o.delivered_at < end}
        | {e.vehicle_id for e in excursions}
    )
    vehicles = tuple(
        _vehicle(
            vid,
            [t for t in trips if t.vehicle_id == vid],
            [o for o in orders if o.vehicle_id == vid],
            [e for e in excursions if e.vehicle_id == vid],
            capacities.get(vid),
            start,
            end,
        )
        for vid in ids
    )
    delivered = [o for o in orders if o.delivered_at is not None and start <= o.delivered_at < end]
    picked = [o for o in orders if start <= o.picked_up_at < end]
    return Kpis(
        start=start,
        end=end,
        vehicles=vehicles,
        delivered=len(delivered),
        delivered_on_time=sum(1 for o in delivered if o.delivery_on_time is True),
        delivered_late=sum(1 for o in delivered if o.delivery_on_time is False),
        pickups=len(picked),
        pickups_on_time=sum(1 for o in picked if o.pickup_on_time is True),
        pickups_late=sum(1 for o in picked if o.pickup_on_time is False),
    )


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def as_json(k: Kpis) -> dict[str, Any]:
    km = sum(v.km for v in k.vehicles)
    empty = sum(v.empty_km for v in k.vehicles)
    duty = sum(v.on_duty_h for v in k.vehicles)
    loaded = sum(v.loaded_h for v in k.vehicles)
    pallet_h = sum(v.pallet_h for v in k.vehicles)
    capacity_h = sum((v.capacity_pallets or 0) * v.on_duty_h for v in k.vehicles)
    excursion_minutes = sum(m for v in k.vehicles for m in v.excursion_minutes.values())
    active = len(k.vehicles)
    return {
        "from": k.start.isoformat(),
        "to": k.end.isoformat(),
        "orders": {
            "delivered": k.delivered,
            "delivered_on_time": k.delivered_on_time,
            "delivered_late": k.delivered_late,
            "on_time_rate": _rate(k.delivered_on_time, k.delivered_on_time + k.delivered_late),
            "picked_up": k.pickups,
            "pickup_on_time_rate": _rate(k.pickups_on_time, k.pickups_on_time + k.pickups_late),
        },
        "km": round(km, 3),
        "empty_km": round(empty, 3),
        "empty_running_rate": _rate(empty, km),
        "on_duty_hours": round(duty, 3),
        "loaded_hours": round(loaded, 3),
        "time_utilisation": _rate(loaded, duty),
        "pallet_utilisation": _rate(pallet_h, capacity_h),
        "excursion_minutes": round(excursion_minutes, 3),
        "vehicles_active": active,
        "orders_per_vehicle": _rate(k.delivered, active),
        "vehicles": [
            {
                "vehicle_id": v.vehicle_id,
                "km": v.km,
                "empty_km": v.empty_km,
                "delivered": v.delivered,
                "delivered_on_time": v.delivered_on_time,
                "on_duty_hours": v.on_duty_h,
                "loaded_hours": v.loaded_h,
                "capacity_pallets": v.capacity_pallets,
                "excursion_minutes": v.excursion_minutes,
            }
            for v in k.vehicles
        ],
    }
