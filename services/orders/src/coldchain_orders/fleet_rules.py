"""What makes a vehicle valid, and the record it is published as. Pure.

Bands are DOMAIN.md's critical limits: a setpoint a unit could hold without ever being
in excursion. A single-zone body (frozen, chilled, ambient) holds one zone in every
compartment; a dual body has two compartments of two different refrigerated zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from coldchain_contracts import (
    BodyType,
    Compartment,
    Depot,
    SiteUpserted,
    TemperatureZone,
    VehicleRegistered,
    new_event_id,
)
from coldchain_orders.vehicle_schemas import VehicleIn

Z = TemperatureZone
BANDS: dict[TemperatureZone, tuple[float, float]] = {Z.FROZEN: (-25.0, -15.0), Z.CHILLED: (-2.0, 7.0)}
_SINGLE_ZONE = {BodyType.FROZEN: Z.FROZEN, BodyType.CHILLED: Z.CHILLED, BodyType.AMBIENT: Z.AMBIENT}


def _compartment_problems(vehicle: VehicleIn) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(vehicle.compartments):
        if c.channel.upper() in seen:
            problems.append(f"compartments.{i}.channel: channel {c.channel!r} is used twice")
        seen.add(c.channel.upper())
        band = BANDS.get(c.zone)
        if band and c.setpoint_celsius is not None and not band[0] <= c.setpoint_celsius <= band[1]:
            problems.append(
                f"compartments.{i}.setpoint_celsius: {c.setpoint_celsius:g} °C is outside the {c.zone} "
                f"band {band[0]:g}..{band[1]:g} °C"
            )
    return problems


def _body_problems(vehicle: VehicleIn) -> list[str]:
    zones = [c.zone for c in vehicle.compartments]
    if vehicle.body_type == BodyType.DUAL:
        if len(zones) != 2 or len(set(zones)) != 2 or Z.AMBIENT in zones:
            found = ", ".join(zones)
            return [f"body_type: a dual body has one frozen and one chilled compartment, not {found}"]
        return []
    want = _SINGLE_ZONE[vehicle.body_type]
    wrong = sorted({z.value for z in zones if z != want})
    if wrong:
        article = "an" if vehicle.body_type == BodyType.AMBIENT else "a"
        return [
            f"body_type: {article} {vehicle.body_type} body cannot have a {' or '.join(wrong)} compartment"
        ]
    return []


def _shift_problems(vehicle: VehicleIn) -> list[str]:
    shift = vehicle.shift
    problems: list[str] = []
    if len(set(shift.weekdays)) != len(shift.weekdays):
        problems.append("shift.weekdays: a weekday is listed twice")
    if shift.start == shift.end:
        problems.append("shift: start and end are the same time")
    return problems


def vehicle_problems(
    vehicle: VehicleIn, depot: SiteUpserted | None, devices_elsewhere: Mapping[str, str]
) -> list[str]:
    """Every reason the vehicle cannot be stored (empty: valid).

    `devices_elsewhere`: its devices that another vehicle holds, device -> that vehicle.
    """
    problems = _compartment_problems(vehicle) + _body_problems(vehicle) + _shift_problems(vehicle)
    if depot is None or not depot.active:
        problems.append(f"depot_site_id: {vehicle.depot_site_id!r} is not a known active site")
    if len(set(vehicle.device_ids)) != len(vehicle.device_ids):
        problems.append("device_ids: a device is listed twice")
    for device, other in sorted(devices_elsewhere.items()):
        problems.append(f"device_ids: device {device!r} is bound to vehicle {other!r}")
    return problems


def registered(vehicle_id: str, vehicle: VehicleIn, depot: SiteUpserted, now: datetime) -> VehicleRegistered:
    """The record published on `fleet.vehicles.v1`: the depot as the site's id and position."""
    return VehicleRegistered(
        event_id=new_event_id(),
        occurred_at=now,
        producer="orders",
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
        depot=Depot(latitude=depot.latitude, longitude=depot.longitude, site_id=depot.site_id),
        shift_start=vehicle.shift.start,
        shift_end=vehicle.shift.end,
        shift_weekdays=tuple(sorted(set(vehicle.shift.weekdays))),
        max_route_minutes=vehicle.max_route_minutes,
        forklift=vehicle.forklift,
        cost_per_km=vehicle.cost_per_km,
    )
