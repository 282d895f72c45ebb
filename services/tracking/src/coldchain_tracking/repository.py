"""Position history in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted
from coldchain_tracking.db import positions


def _row(fix: FixAccepted) -> dict[str, Any]:
    return {
        "vehicle_id": fix.vehicle_id,
        "device_time": fix.device_time,
        "device_id": fix.device_id,
        "received_at": fix.received_at,
        "latitude": fix.latitude,
        "longitude": fix.longitude,
        "speed_kmh": fix.speed_kmh,
        "heading": fix.heading,
        "altitude_m": fix.altitude_m,
        "accuracy_m": fix.accuracy_m,
        "ignition": fix.ignition,
        "odometer_km": fix.odometer_km,
        "battery_v": fix.battery_v,
        "door_open": fix.door_open,
        "defrost": fix.defrost,
        "temperatures": [t.model_dump(mode="json") for t in fix.temperatures],
        "attributes": fix.attributes,
        "event_id": fix.event_id,
    }


class PositionHistory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, fixes: Sequence[FixAccepted]) -> int:
        """Insert fixes, ignoring ones already stored; returns how many were new."""
        if not fixes:
            return 0
        stmt = insert(positions).on_conflict_do_nothing(index_elements=["vehicle_id", "device_time"])
        async with self._engine.begin() as conn:
            result = await conn.execute(stmt.returning(positions.c.event_id), [_row(f) for f in fixes])
            return len(result.all())

    async def between(
        self, vehicle_id: str, start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        stmt = (
            select(positions)
            .where(
                positions.c.vehicle_id == vehicle_id,
                positions.c.device_time >= start,
                positions.c.device_time < end,
            )
            .order_by(positions.c.device_time)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(stmt)]
