"""From projection rows to a planning `Problem`: a pure function, no I/O.

Vehicles: active, with a depot and a shift that runs on the horizon's first local day
(its weekdays, when the record names them); shift times are local (the operator's time
zone) on that day, an end before the start crossing midnight. A
fresh live position (younger than `position_max_age`, inside the shift) becomes the
vehicle's start, available from `now`. Orders: open ones whose pick-up window meets the
horizon, plus those on board a planned vehicle. A stop at a site takes the site's
coordinates, its loading/unloading minutes unless the order says otherwise, and needs
a forklift when the site requires one or the order does. Everything left out is
listed with its reason, never silently lost.

Not modelled yet: site opening hours (the order's window is taken as given).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coldchain_contracts import OrderSpec, OrderStatus
from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_contracts.orders import OrderStop
from coldchain_dispatch.planning.model import GeoPoint, Order, Problem, Stop, TimeWindow, Vehicle

Row = Mapping[str, Any]
UNLIMITED_KG = 1_000_000.0  # a vehicle registered without a weight capacity
DEFAULT_ROUTE = timedelta(hours=10)


@dataclass(frozen=True)
class Meta:
    """What publishing needs beyond the plan: compartment channels and stop sites."""

    channels: dict[str, list[str]] = field(default_factory=dict)  # vehicle -> channel per compartment
    sites: dict[str, list[str | None]] = field(default_factory=dict)  # order -> [pickup, dropoff] site
    transfers: list[str] = field(default_factory=list)  # picked up from a failed truck, not at a site

    def as_json(self) -> dict[str, Any]:
        return {"channels": self.channels, "sites": self.sites, "transfers": self.transfers}

    @classmethod
    def of(cls, j: Mapping[str, Any]) -> Meta:
        return cls(dict(j.get("channels", {})), dict(j.get("sites", {})), list(j.get("transfers", [])))


@dataclass(frozen=True)
class Assembled:
    problem: Problem
    meta: Meta
    excluded_vehicles: dict[str, str]
    excluded_orders: dict[str, str]


def local_shift(day: date, start: time, end: time, tz: ZoneInfo) -> TimeWindow:
    begins = datetime.combine(day, start, tz)
    ends = datetime.combine(day, end, tz)
    if ends <= begins:
        ends += timedelta(days=1)
    return TimeWindow(begins, ends)


def _compartments(row: Row) -> tuple[tuple[int, ...], list[str]]:
    """Pallets per planning compartment (dual: frozen first) and their channels."""
    parts = list(row["compartments"] or [])
    if not parts:
        raise ValueError("no compartments")
    if row["body_type"] == BodyType.DUAL.value:
        if len(parts) != 2:
            raise ValueError(f"a dual body needs 2 compartments, has {len(parts)}")
        parts.sort(key=lambda c: c["zone"] != TemperatureZone.FROZEN.value)
        return tuple(int(c["pallets"]) for c in parts), [str(c["channel"]) for c in parts]
    # A single-temperature body: its compartments hold one setpoint, so plan them as one.
    return (sum(int(c["pallets"]) for c in parts),), [str(parts[0]["channel"])]


def shift_in(
    start: time,
    end: time,
    weekdays: Sequence[int] | None,
    horizon_start: datetime,
    horizon_end: datetime,
    tz: ZoneInfo,
) -> TimeWindow | None:
    """The vehicle's first shift that is still running at `horizon_start` or begins before
    `horizon_end`: the one from the day before when it runs overnight past the horizon's
    start, else the horizon's own day's, else a later day's (a plan asked for after the
    day's shift has ended plans the next shift). Weekdays are those the shift starts on."""
    first = horizon_start.astimezone(tz).date() - timedelta(days=1)
    last = horizon_end.astimezone(tz).date()
    day = first
    while day <= last:
        if weekdays is None or day.weekday() in weekdays:
            shift = local_shift(day, start, end, tz)
            if shift.end > horizon_start and shift.start < horizon_end:
                return shift
        day += timedelta(days=1)
    return None


def vehicle_of(
    row: Row,
    position: Row | None,
    *,
    horizon_start: datetime,
    horizon_end: datetime,
    now: datetime,
    tz: ZoneInfo,
    max_age: timedelta,
) -> tuple[Vehicle, list[str]]:
    if row["depot_latitude"] is None or row["depot_longitude"] is None:
        raise ValueError("no depot")
    if row["shift_start"] is None or row["shift_end"] is None:
        raise ValueError("no shift")
    weekdays = row.get("shift_weekdays")
    shift = shift_in(row["shift_start"], row["shift_end"], weekdays, horizon_start, horizon_end, tz)
    if shift is None:
        day = horizon_start.astimezone(tz).date()
        if weekdays is not None and day.weekday() not in weekdays:
            raise ValueError(f"no shift on {day:%A}s")
        raise ValueError("no shift in the horizon")
    compartments, channels = _compartments(row)
    start = available = None
    if position is not None and now - position["device_time"] <= max_age and shift.start <= now < shift.end:
        start = GeoPoint(position["latitude"], position["longitude"])
        available = now
    minutes = row["max_route_minutes"]
    vehicle = Vehicle(
        vehicle_id=row["vehicle_id"],
        body_type=BodyType(row["body_type"]),
        compartments=compartments,
        weight_capacity_kg=row["weight_capacity_kg"]
        if row["weight_capacity_kg"] is not None
        else UNLIMITED_KG,
        depot=GeoPoint(row["depot_latitude"], row["depot_longitude"]),
        shift=shift,
        max_route_duration=timedelta(minutes=minutes) if minutes else DEFAULT_ROUTE,
        has_forklift=bool(row["forklift"]),
        start=start,
        available_from=available,
    )
    return vehicle, channels


def _stop(stop: OrderStop, sites: Mapping[str, Row], *, pickup: bool, forklift: bool) -> Stop:
    minutes = stop.service_minutes
    if stop.site_id is not None:
        site = sites.get(stop.site_id)
        if site is None or not site["active"]:
            raise ValueError(f"unknown or inactive site {stop.site_id}")
        point = GeoPoint(site["latitude"], site["longitude"])
        if minutes is None:
            minutes = site["loading_minutes"] if pickup else site["unloading_minutes"]
        forklift = forklift or site["forklift"] == "required"
    else:
        if stop.latitude is None or stop.longitude is None:
            raise ValueError("a stop without a site needs coordinates")
        point = GeoPoint(stop.latitude, stop.longitude)
    service = timedelta(minutes=minutes if minutes is not None else 30)
    return Stop(point, TimeWindow(stop.window.start, stop.window.end), service, forklift)


def order_of(order_id: str, spec: OrderSpec, sites: Mapping[str, Row]) -> Order:
    return Order(
        order_id=order_id,
        zone=spec.zone,
        pallets=spec.pallets,
        weight_kg=spec.weight_kg,
        pickup=_stop(spec.pickup, sites, pickup=True, forklift=spec.forklift_required),
        delivery=_stop(spec.dropoff, sites, pickup=False, forklift=spec.forklift_required),
        priority=spec.priority,
    )


def stop_sites(spec: OrderSpec) -> list[str | None]:
    return [spec.pickup.site_id, spec.dropoff.site_id]


def in_horizon(spec: OrderSpec, start: datetime, end: datetime) -> bool:
    return spec.pickup.window.start < end and spec.pickup.window.end >= start


def assemble(
    *,
    vehicles: Iterable[Row],
    sites: Iterable[Row],
    positions: Iterable[Row],
    orders: Iterable[Row],
    horizon_start: datetime,
    horizon_end: datetime,
    now: datetime,
    tz: ZoneInfo,
    position_max_age: timedelta,
    vehicle_ids: Iterable[str] | None = None,
) -> Assembled:
    site_rows = {s["site_id"]: s for s in sites}
    position_rows = {p["vehicle_id"]: p for p in positions}
    wanted = set(vehicle_ids) if vehicle_ids is not None else None
    planned: list[Vehicle] = []
    meta = Meta()
    excluded_vehicles: dict[str, str] = {}
    for row in sorted(vehicles, key=lambda r: str(r["vehicle_id"])):
        vid = row["vehicle_id"]
        if (wanted is not None and vid not in wanted) or not row["active"]:
            continue
        try:
            vehicle, channels = vehicle_of(
                row,
                position_rows.get(vid),
                horizon_start=horizon_start,
                horizon_end=horizon_end,
                now=now,
                tz=tz,
                max_age=position_max_age,
            )
        except ValueError as exc:
            excluded_vehicles[vid] = str(exc)
            continue
        planned.append(vehicle)
        meta.channels[vid] = channels
    vehicle_set = {v.vehicle_id for v in planned}

    chosen: list[Order] = []
    onboard: dict[str, list[str]] = {}
    excluded_orders: dict[str, str] = {}
    for row in sorted(orders, key=lambda r: str(r["order_id"])):
        oid = str(row["order_id"])
        if row["spec"] is None:
            excluded_orders[oid] = "order details not seen yet"
            continue
        spec = OrderSpec.model_validate(row["spec"])
        carried = row["status"] == OrderStatus.PICKED_UP.value
        if carried:
            if row["vehicle_id"] not in vehicle_set:
                excluded_orders[oid] = f"on board {row['vehicle_id']}, which is not planned"
                continue
        elif not in_horizon(spec, horizon_start, horizon_end):
            continue
        try:
            chosen.append(order_of(oid, spec, site_rows))
        except ValueError as exc:
            excluded_orders[oid] = str(exc)
            continue
        meta.sites[oid] = stop_sites(spec)
        if carried:
            onboard.setdefault(row["vehicle_id"], []).append(oid)
    with_loads = tuple(replace(v, onboard=tuple(onboard.get(v.vehicle_id, ()))) for v in planned)
    return Assembled(Problem(with_loads, tuple(chosen)), meta, excluded_vehicles, excluded_orders)
