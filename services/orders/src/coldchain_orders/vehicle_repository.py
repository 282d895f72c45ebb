"""Persistence of vehicles and their device bindings, with the outbox row of each change."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_contracts import VehicleRegistered, new_event_id
from coldchain_contracts.topics import FLEET_VEHICLES
from coldchain_orders.db import vehicle_devices, vehicles
from coldchain_orders.queries import like_pattern
from coldchain_orders.repository import enqueue
from coldchain_servicekit.kafka import Outgoing


async def lock_vehicle(conn: AsyncConnection, vehicle_id: str) -> tuple[dict[str, Any], int] | None:
    """The vehicle's API document and version, row-locked until the transaction ends."""
    stmt = (
        select(vehicles.c.spec, vehicles.c.version)
        .where(vehicles.c.vehicle_id == vehicle_id)
        .with_for_update()
    )
    row = (await conn.execute(stmt)).first()
    return (dict(row.spec), row.version) if row else None


async def devices_bound_elsewhere(
    conn: AsyncConnection, vehicle_id: str, device_ids: Sequence[str]
) -> dict[str, str]:
    """Device id -> the other vehicle it is bound to, for those of `device_ids` that are."""
    if not device_ids:
        return {}
    stmt = select(vehicle_devices.c.device_id, vehicle_devices.c.vehicle_id).where(
        vehicle_devices.c.device_id.in_(device_ids), vehicle_devices.c.vehicle_id != vehicle_id
    )
    return {r.device_id: r.vehicle_id for r in await conn.execute(stmt)}


async def save_vehicle(
    conn: AsyncConnection,
    spec: dict[str, Any],
    record: VehicleRegistered,
    version: int,
    traceparent: str | None,
    now: datetime,
) -> None:
    """Upsert the vehicle, rebind its devices, and put its record on the outbox."""
    values = {
        "vehicle_id": record.vehicle_id,
        "name": record.name,
        "plate": record.plate,
        "active": record.active,
        "depot_site_id": spec.get("depot_site_id"),
        "spec": spec,
        "record": json.loads(record.model_dump_json()),
        "version": version,
        "updated_at": now,
    }
    await conn.execute(
        insert(vehicles)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["vehicle_id"], set_={k: v for k, v in values.items() if k != "vehicle_id"}
        )
    )
    await conn.execute(delete(vehicle_devices).where(vehicle_devices.c.vehicle_id == record.vehicle_id))
    if record.device_ids:
        await conn.execute(
            insert(vehicle_devices).values(
                [{"device_id": d, "vehicle_id": record.vehicle_id} for d in record.device_ids]
            )
        )
    message = Outgoing.event(FLEET_VEHICLES.name, record.vehicle_id, record, traceparent)
    await enqueue(conn, message, record.event_id, now)


async def delete_vehicle(
    conn: AsyncConnection, vehicle_id: str, traceparent: str | None, now: datetime
) -> bool:
    """Remove the vehicle and its bindings; a tombstone goes on the outbox. False if unknown."""
    gone = await conn.execute(
        delete(vehicles).where(vehicles.c.vehicle_id == vehicle_id).returning(vehicles.c.vehicle_id)
    )
    if gone.first() is None:
        return False
    await conn.execute(delete(vehicle_devices).where(vehicle_devices.c.vehicle_id == vehicle_id))
    await enqueue(conn, Outgoing.tombstone(FLEET_VEHICLES.name, vehicle_id, traceparent), new_event_id(), now)
    return True


def _view(row: Any) -> dict[str, Any]:
    return {
        "vehicle_id": row.vehicle_id,
        **row.spec,
        "version": row.version,
        "updated_at": row.updated_at.isoformat(),
    }


async def vehicle(conn: AsyncConnection, vehicle_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(vehicles).where(vehicles.c.vehicle_id == vehicle_id))).first()
    return _view(row) if row else None


async def list_vehicles(
    conn: AsyncConnection, text: str | None, active: bool | None, limit: int, offset: int
) -> dict[str, Any]:
    conditions = []
    if text:
        like = like_pattern(text)
        conditions.append(
            or_(vehicles.c.vehicle_id.ilike(like), vehicles.c.name.ilike(like), vehicles.c.plate.ilike(like))
        )
    if active is not None:
        conditions.append(vehicles.c.active == active)
    total = (await conn.execute(select(func.count()).select_from(vehicles).where(*conditions))).scalar_one()
    rows = await conn.execute(
        select(vehicles).where(*conditions).order_by(vehicles.c.vehicle_id).limit(limit).offset(offset)
    )
    return {"items": [_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}
