"""Position history in PostgreSQL: batch writes by COPY, range reads per vehicle.

Writes: a batch is COPYed (binary) into a session-local staging table, then moved with
one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` into the partitioned `positions`,
which routes each row to its day (or DEFAULT). Idempotent on (vehicle_id, device_time):
a redelivered or duplicate fix inserts nothing; within a batch the first one wins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import cast, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted, ReeferReading
from coldchain_tracking.db import positions

COLUMNS = (
    "vehicle_id",
    "device_time",
    "device_id",
    "received_at",
    "latitude",
    "longitude",
    "speed_kmh",
    "heading",
    "altitude_m",
    "accuracy_m",
    "ignition",
    "odometer_km",
    "battery_v",
    "door_open",
    "defrost",
    "temperatures",
    "attributes",
    "event_id",
    "source",
    "fix_time",
    "gps_valid",
    "hdop",
    "satellites",
    "driver_id",
)
_COLS = ", ".join(COLUMNS)
# Serialised by pydantic-core in one call: a quarter of the cost of model_dump + json.dumps.
_READINGS = TypeAdapter(tuple[ReeferReading, ...])
STAGING = "positions_staging"
# ON COMMIT DELETE ROWS: the staging table lives as long as the pooled connection and
# is emptied by every commit, so a batch costs no catalog churn.
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING}"
    " (LIKE tracking.positions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_MOVE = (
    f"WITH new AS (INSERT INTO tracking.positions ({_COLS}) SELECT {_COLS} FROM {STAGING}"
    " ON CONFLICT (vehicle_id, device_time) DO NOTHING RETURNING 1) SELECT count(*) FROM new"
)


def record(fix: FixAccepted) -> tuple[Any, ...]:
    """One COPY record, in COLUMNS order (JSON columns as text)."""
    return (
        fix.vehicle_id,
        fix.device_time,
        fix.device_id,
        fix.received_at,
        fix.latitude,
        fix.longitude,
        fix.speed_kmh,
        fix.heading,
        fix.altitude_m,
        fix.accuracy_m,
        fix.ignition,
        fix.odometer_km,
        fix.battery_v,
        fix.door_open,
        fix.defrost,
        _READINGS.dump_json(fix.temperatures).decode(),
        json.dumps(fix.attributes),
        fix.event_id,
        fix.source,
        fix.fix_time,
        fix.gps_valid,
        fix.hdop,
        fix.satellites,
        fix.driver_id,
    )


def first_per_key(fixes: Sequence[FixAccepted]) -> list[FixAccepted]:
    """Drop later fixes with a (vehicle, device time) already seen in the batch."""
    seen: set[tuple[str, datetime]] = set()
    kept = []
    for fix in fixes:
        key = (fix.vehicle_id, fix.device_time)
        if key not in seen:
            seen.add(key)
            kept.append(fix)
    return kept


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if k == "event_id" else v) for k, v in row.items()}


class PositionHistory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, fixes: Sequence[FixAccepted]) -> int:
        """Store fixes not stored yet (COPY + insert-select); returns how many were new."""
        if not fixes:
            return 0
        records = [record(f) for f in first_per_key(fixes)]
        async with self._engine.connect() as conn:
            raw = await conn.get_raw_connection()
            pg = raw.driver_connection
            assert pg is not None
            async with pg.transaction():
                await pg.execute(_CREATE_STAGING)
                await pg.copy_records_to_table(STAGING, records=records, columns=COLUMNS)
                new: int = await pg.fetchval(_MOVE)
        return new

    async def between(
        self, vehicle_id: str, start: datetime, end: datetime, limit: int, after: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Fixes with start <= device_time < end (and > after), oldest first."""
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
        if after is not None:
            stmt = stmt.where(positions.c.device_time > after)
        async with self._engine.connect() as conn:
            return [_jsonable(dict(r._mapping)) for r in await conn.execute(stmt)]

    async def temperature_log(
        self,
        vehicle_id: str,
        start: datetime,
        end: datetime,
        limit: int,
        after: datetime | None = None,
        channel: str | None = None,
    ) -> list[dict[str, Any]]:
        """Fixes that carried compartment readings, oldest first, readings per channel.

        Same index and partition pruning as `between`; fixes without readings are skipped
        in the database (`temperatures <> '[]'`), a channel filter uses jsonb containment.
        """
        stmt = (
            select(
                positions.c.device_time,
                positions.c.fix_time,
                positions.c.received_at,
                positions.c.latitude,
                positions.c.longitude,
                positions.c.door_open,
                positions.c.defrost,
                positions.c.temperatures,
            )
            .where(
                positions.c.vehicle_id == vehicle_id,
                positions.c.device_time >= start,
                positions.c.device_time < end,
                positions.c.temperatures != cast([], JSONB),
            )
            .order_by(positions.c.device_time)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(positions.c.device_time > after)
        if channel is not None:
            stmt = stmt.where(positions.c.temperatures.contains([{"channel": channel}]))
        async with self._engine.connect() as conn:
            rows = [dict(r._mapping) for r in await conn.execute(stmt)]
        for row in rows:
            readings = row.pop("temperatures")
            row["readings"] = [r for r in readings if channel is None or r.get("channel") == channel]
        return rows
