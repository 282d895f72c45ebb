"""What makes a vehicle valid, and the record it is published as. Pure: no I/O.

The database checks (the depot is a known site, a device is bound to one vehicle only)
are in `vehicles.py`; these are the ones a vehicle's own fields decide.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from coldchain_contracts import BodyType, SiteUpserted, TemperatureZone, VehicleRegistered, new_event_id
from coldchain_contracts.fleet import Compartment, Depot
from coldchain_orders.vehicle_schemas import VehicleIn

# Setpoints a unit may be set to per zone: DOMAIN.md's critical limits (frozen critical
# below -25 or above -15 °C; chilled 0-5 °C with a 2 °C warning margin). Ambient: any.
SETPOINT_RANGE: dict[TemperatureZone, tuple[float, float]] = {
    TemperatureZone.FROZEN: (-25.0, -15.0),
    TemperatureZone.CHILLED: (-2.0, 7.0),
}
SINGLE_ZONE = {
    BodyType.FROZEN: TemperatureZone.FROZEN,
    BodyType.CHILLED: TemperatureZone.CHILLED,
    BodyType.AMBIENT: TemperatureZone.AMBIENT,
}


def problems(vehicle: VehicleIn) -> list[str]:
    """Every rule the vehicle breaks, as `field: message`; empty when it is valid."""
    found: list[str] = []
    parts = vehicle.compartments
    if not parts:
        found.append("compartments: a vehicle needs at least one compartment (its pallet capacity)")
    for channel, count in Counter(c.channel for c in parts).items():
        if count > 1:
            found.append(f"compartments: channel {channel!r} is used by {count} compartments")
    for i, c in enumerate(parts):
        limits = SETPOINT_RANGE.get(c.zone)
        if limits and c.setpoint_celsius is not None and not limits[0] <= c.setpoint_celsius <= limits[1]:
            found.append(
                f"compartments.{i}.setpoint_celsius: {c.setpoint_celsius:g} °C is outside the {c.zone.value} "
                f"band ({limits[0]:g} to {limits[1]:g} °C)"
            )
    zone = SINGLE_ZONE.get(vehicle.body_type)
    if zone is not None:
        wrong = sorted({c.zone.value for c in parts if c.zone is not zone})
        if wrong:
            found.append(
                f"compartments: a {vehicle.body_type.value} body has only {zone.value} compartments, not {wrong}"
            )
    elif parts and (len(parts) != 2 or len({c.zone for c in parts}) != 2):
        found.append("compartments: a dual body has exactly two compartments of different zones")
    if vehicle.shift is not None:
        days = vehicle.shift.weekdays
        if any(not 0 <= d <= 6 for d in days) or len(set(days)) != len(days):
            found.append("shift.weekdays: distinct weekdays 0 (Monday) to 6 (Sunday)")
        if vehicle.shift.start == vehicle.shift.end:
            found.append("shift: start and end are the same time")
    for device, count in Counter(vehicle.device_ids).items():
        if count > 1:
            found.append(f"device_ids: {device!r} is listed {count} times")
    return found


def to_record(
    vehicle_id: str, vehicle: VehicleIn, depot: SiteUpserted | None, now: datetime
) -> VehicleRegistered:
    """The record published on `fleet.vehicles.v1`: the vehicle as it is now."""
    shift = vehicle.shift
    return VehicleRegistered(
        vehicle_id=vehicle_id,
        name=vehicle.name,
        plate=vehicle.plate,
        body_type=vehicle.body_type,
        compartments=tuple(
            Compartment(
                channel=c.channel, zone=c.zone, pallets=c.pallets, setpoint_celsius=c.setpoint_celsius
            )
            for c in vehicle.compartments
        ),
        weight_capacity_kg=vehicle.weight_capacity_kg,
        volume_capacity_m3=vehicle.volume_capacity_m3,
        device_ids=tuple(vehicle.device_ids),
        active=vehicle.active,
        depot=Depot(latitude=depot.latitude, longitude=depot.longitude, site_id=depot.site_id)
        if depot
        else None,
        shift_start=shift.start if shift else None,
        shift_end=shift.end if shift else None,
        shift_weekdays=tuple(sorted(shift.weekdays)) if shift else None,
        max_route_minutes=vehicle.max_route_minutes,
        forklift=vehicle.forklift,
        cost_per_km=vehicle.cost_per_km,
        producer="orders",
        event_id=new_event_id(),
        occurred_at=now,
    )
