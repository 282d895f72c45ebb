"""Persistence of vehicles and their device bindings, on the caller's connection.

The vehicle row, its device rows and its outbox row are written in the caller's
transaction. The outbox row is the whole `VehicleRegistered` record, or a tombstone
(null payload) when the vehicle is deleted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coldchain_contracts import VehicleRegistered
from coldchain_contracts.topics import FLEET_VEHICLES
from coldchain_orders.db import vehicle_devices, vehicles
from coldchain_orders.repository import enqueue
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import Outgoing


def view(row: Any) -> dict[str, Any]:
    """The vehicle as the API answers it: the stored body plus id, version and time."""
    return {
        "vehicle_id": row.vehicle_id,
        **row.spec,
        "version": row.version,
        "updated_at": row.updated_at.isoformat(),
    }


async def lock(conn: AsyncConnection, vehicle_id: str) -> Any | None:
    stmt = select(vehicles).where(vehicles.c.vehicle_id == vehicle_id).with_for_update()
    return (await conn.execute(stmt)).first()


async def devices_elsewhere(
    conn: AsyncConnection, vehicle_id: str, device_ids: Iterable[str]
) -> dict[str, str]:
    """Of these devices, those bound to another vehicle: device -> vehicle."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    stmt = select(vehicle_devices).where(
        vehicle_devices.c.device_id.in_(ids), vehicle_devices.c.vehicle_id != vehicle_id
    )
    return {r.device_id: r.vehicle_id for r in await conn.execute(stmt)}


async def save(
    conn: AsyncConnection,
    spec: dict[str, Any],
    record: VehicleRegistered,
    version: int,
    trace: str | None,
    now: datetime,
) -> None:
    """Upsert the vehicle, replace its device rows, and put its record on the outbox."""
    values = {
        "vehicle_id": record.vehicle_id,
        "name": record.name,
        "plate": record.plate,
        "active": record.active,
        "depot_site_id": spec["depot_site_id"],
        "spec": spec,
        "record": json.loads(record.model_dump_json()),
        "version": version,
        "updated_at": now,
    }
    stmt = insert(vehicles).values(**values)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["vehicle_id"], set_={k: v for k, v in values.items() if k != "vehicle_id"}
        )
    )
    await conn.execute(delete(vehicle_devices).where(vehicle_devices.c.vehicle_id == record.vehicle_id))
    if record.device_ids:
        await conn.execute(
            insert(vehicle_devices),
            [{"device_id": d, "vehicle_id": record.vehicle_id} for d in record.device_ids],
        )
    message = Outgoing.event(FLEET_VEHICLES.name, record.vehicle_id, record, trace)
    await enqueue(conn, message, record.event_id, now)


async def remove(conn: AsyncConnection, vehicle_id: str, trace: str | None, now: datetime) -> uuid.UUID:
    """Delete the vehicle and its devices; a tombstone goes on the outbox. Returns its event id."""
    await conn.execute(delete(vehicle_devices).where(vehicle_devices.c.vehicle_id == vehicle_id))
    await conn.execute(delete(vehicles).where(vehicles.c.vehicle_id == vehicle_id))
    event_id = uuid.uuid4()
    headers = {"event_type": "VehicleDeleted", "event_id": str(event_id)}
    headers[tracecontext.HEADER] = tracecontext.child_of(trace)
    await enqueue(conn, Outgoing(FLEET_VEHICLES.name, vehicle_id, None, headers), event_id, now)
    return event_id


async def list_vehicles(
    engine: AsyncEngine, text: str | None, active: bool | None, limit: int, offset: int
) -> dict[str, Any]:
    stmt = select(vehicles)
    count = select(func.count()).select_from(vehicles)
    conditions = []
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                vehicles.c.vehicle_id.ilike(pattern),
                vehicles.c.name.ilike(pattern),
                vehicles.c.plate.ilike(pattern),
            )
        )
    if active is not None:
        conditions.append(vehicles.c.active == active)
    for condition in conditions:
        stmt, count = stmt.where(condition), count.where(condition)
    async with engine.connect() as conn:
        total = (await conn.execute(count)).scalar_one()
        rows = (await conn.execute(stmt.order_by(vehicles.c.vehicle_id).limit(limit).offset(offset))).all()
    return {"total": total, "limit": limit, "offset": offset, "items": [view(r) for r in rows]}


async def one(engine: AsyncEngine, vehicle_id: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(vehicles).where(vehicles.c.vehicle_id == vehicle_id))).first()
    return view(row) if row else None
