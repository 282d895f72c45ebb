"""Writing vehicles: the orders service owns them and publishes each change on `fleet.vehicles.v1`.

Like sites, a write is synchronous and answers at once with every problem found. The
vehicle, its device bindings and its outbox row share one transaction; a write that
changes nothing publishes nothing, so a retried PUT is harmless. A delete publishes a
tombstone, which ingest, tracking and dispatch read as "the vehicle is gone".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_orders import fleet_rules
from coldchain_orders import repository as repo
from coldchain_orders import vehicle_store as store
from coldchain_orders.vehicle_schemas import VehicleIn


class VehicleNotFound(LookupError):
    pass


class VehicleInvalid(ValueError):
    """The vehicle cannot be stored; `problems` says every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class VehicleWrite:
    view: dict[str, Any]
    created: bool
    changed: bool


def _validated(fields: dict[str, Any]) -> VehicleIn:
    try:
        return VehicleIn.model_validate(fields)
    except ValidationError as exc:
        raise VehicleInvalid(
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"] for e in exc.errors()]
        ) from exc


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

    Raises VehicleInvalid with every problem, VehicleNotFound for a partial write to an
    unknown vehicle.
    """
    current = await store.lock(conn, vehicle_id)
    if partial and current is None:
        raise VehicleNotFound(vehicle_id)
    base = dict(current.spec) if (current is not None and partial) else {}
    vehicle = _validated({**base, **fields})
    depot = (await repo.sites_by_id(conn, [vehicle.depot_site_id])).get(vehicle.depot_site_id)
    taken = await store.devices_elsewhere(conn, vehicle_id, vehicle.device_ids)
    problems = fleet_rules.vehicle_problems(vehicle, depot, taken)
    if problems:
        raise VehicleInvalid(problems)
    assert depot is not None  # vehicle_problems reports a missing depot
    spec = vehicle.model_dump(mode="json")
    record = fleet_rules.registered(vehicle_id, vehicle, depot, now)
    if current is not None and current.spec == spec and _same_depot(current.record, record):
        return VehicleWrite(store.view(current), created=False, changed=False)
    version = current.version + 1 if current is not None else 1
    try:
        async with conn.begin_nested():
            await store.save(conn, spec, record, version, trace, now)
    except IntegrityError as exc:  # a concurrent writer bound one of the devices first
        raise VehicleInvalid(["device_ids: a device was bound to another vehicle meanwhile"]) from exc
    row = await store.lock(conn, vehicle_id)
    return VehicleWrite(store.view(row), created=current is None, changed=True)


def _same_depot(stored: dict[str, Any], record: Any) -> bool:
    """A depot site that moved changes the published record even if the body is the same."""
    return bool(stored.get("depot") == record.depot.model_dump(mode="json"))


async def delete_vehicle(
    conn: AsyncConnection, vehicle_id: str, now: datetime, trace: str | None = None
) -> None:
    """Remove the vehicle and publish its tombstone; VehicleNotFound if there is none."""
    if await store.lock(conn, vehicle_id) is None:
        raise VehicleNotFound(vehicle_id)
    await store.remove(conn, vehicle_id, trace, now)
