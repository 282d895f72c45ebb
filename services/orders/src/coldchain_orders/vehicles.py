"""Writing vehicles: the orders service owns them and publishes each change on
`fleet.vehicles.v1` (the full record; a tombstone when a vehicle is deleted).

Like sites, a write is synchronous (the gateway forwards it over HTTP) so the caller
learns at once what is wrong; the vehicle, its device bindings and its outbox row share
one transaction. A write that changes nothing publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_orders import repository as repo
from coldchain_orders import vehicle_repository as store
from coldchain_orders.vehicle_rules import problems, to_record
from coldchain_orders.vehicle_schemas import VehicleIn


class VehicleNotFound(LookupError):
    pass


class InvalidVehicle(ValueError):
    """Every reason the vehicle was refused, one `field: message` each."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True, slots=True)
class VehicleWrite:
    view: dict[str, Any]
    created: bool
    changed: bool


def _reasons(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]


async def write_vehicle(
    conn: AsyncConnection,
    vehicle_id: str,
    fields: dict[str, Any],
    *,
    partial: bool,
    now: datetime,
    trace: str | None = None,
) -> VehicleWrite:
    """Create or replace (`partial=False`) or change some fields of (`partial=True`) a vehicle.

    Raises VehicleNotFound for a partial write to an unknown vehicle, InvalidVehicle with
    every reason otherwise refused (field rules, unknown depot, a device bound elsewhere).
    """
    current = await store.lock_vehicle(conn, vehicle_id)
    if partial and current is None:
        raise VehicleNotFound(vehicle_id)
    merged = {**current[0], **fields} if (current and partial) else fields
    try:
        vehicle = VehicleIn.model_validate(merged)
    except ValidationError as exc:
        raise InvalidVehicle(_reasons(exc)) from exc
    reasons = problems(vehicle)
    depot = None
    if vehicle.depot_site_id is not None:
        depot = (await repo.sites_by_id(conn, [vehicle.depot_site_id])).get(vehicle.depot_site_id)
        if depot is None or not depot.active:
            reasons.append(f"depot_site_id: no active site {vehicle.depot_site_id!r}")
    taken = await store.devices_bound_elsewhere(conn, vehicle_id, vehicle.device_ids)
    reasons += [
        f"device_ids: {device!r} is bound to vehicle {other!r}" for device, other in sorted(taken.items())
    ]
    if reasons:
        raise InvalidVehicle(reasons)
    spec = vehicle.model_dump(mode="json")
    version = current[1] + 1 if current else 1
    if current is not None and current[0] == spec:
        view = await store.vehicle(conn, vehicle_id)
        assert view is not None
        return VehicleWrite(view, created=False, changed=False)
    try:
        async with conn.begin_nested():
            await store.save_vehicle(
                conn, spec, to_record(vehicle_id, vehicle, depot, now), version, trace, now
            )
    except IntegrityError as exc:  # a concurrent write bound the same device first
        raise InvalidVehicle(
            [f"device_ids: a device of {vehicle.device_ids} was bound elsewhere meanwhile"]
        ) from exc
    view = await store.vehicle(conn, vehicle_id)
    assert view is not None
    return VehicleWrite(view, created=current is None, changed=True)
