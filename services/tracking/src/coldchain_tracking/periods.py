"""Trips, stops, excursions and alerts in PostgreSQL: projected from events, listed per vehicle.

`apply` is idempotent by event id: the ids go into the inbox `projected_events` in the
same transaction as the upserts, and only events whose id was new are applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.db import alerts, excursions, projected_events, stops, trips
from coldchain_tracking.paging import Cursor
from coldchain_tracking.projection import Upsert, upsert_for

TABLES: dict[str, Table] = {t.name: t for t in (trips, stops, excursions, alerts)}
ID_COLUMN = {"trips": "trip_id", "stops": "stop_id", "excursions": "excursion_id", "alerts": "alert_id"}


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def _statement(upsert: Upsert) -> Any:
    table = TABLES[upsert.table]
    stmt = insert(table).values(upsert.values)
    changes: dict[str, Any] = {c: stmt.excluded[c] for c in upsert.update}
    changes |= {c: func.coalesce(table.c[c], stmt.excluded[c]) for c in upsert.fill}
    changes["updated_at"] = func.now()
    return stmt.on_conflict_do_update(index_elements=[upsert.id_column], set_=changes)


def _jsonable(row: dict[str, Any], id_column: str) -> dict[str, Any]:
    row[id_column] = str(row[id_column])
    row["open"] = row["ended_at"] is None
    return row


class PeriodStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, events: Sequence[TrackingEvent]) -> int:
        """Project events not projected yet, in order; returns how many were new."""
        if not events:
            return 0
        async with self._engine.begin() as conn:
            inbox = (
                insert(projected_events)
                .values([{"event_id": e.event_id, "event_type": type(e).__name__} for e in events])
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(projected_events.c.event_id)
            )
            new = {row[0] for row in await conn.execute(inbox)}
            for event in events:
                upsert = upsert_for(event) if event.event_id in new else None
                if upsert is not None:
                    await conn.execute(_statement(upsert))
        return len(new)

    async def list(
        self,
        kind: str,
        vehicle_id: str,
        start: datetime,
        end: datetime,
        limit: int,
        after: Cursor | None = None,
        status: Status | None = None,
    ) -> list[dict[str, Any]]:
        """Periods of a vehicle overlapping [start, end), by start time then id.

        A period overlaps when it started before `end` and is still open or ended at or
        after `start`, so a trip that began yesterday and is still running is listed.
        """
        table, id_column = TABLES[kind], ID_COLUMN[kind]
        ident = table.c[id_column]
        stmt = (
            select(table)
            .where(
                table.c.vehicle_id == vehicle_id,
                table.c.started_at < end,
                or_(table.c.ended_at.is_(None), table.c.ended_at >= start),
            )
            .order_by(table.c.started_at, ident)
            .limit(limit)
        )
        if after is not None:
            # A cursor whose id is not a UUID raises ValueError, like any forged cursor.
            stmt = stmt.where(tuple_(table.c.started_at, ident) > tuple_(after.at, uuid.UUID(after.id)))
        if status is Status.OPEN:
            stmt = stmt.where(table.c.ended_at.is_(None))
        elif status is Status.CLOSED:
            stmt = stmt.where(table.c.ended_at.is_not(None))
        async with self._engine.connect() as conn:
            rows = [dict(r._mapping) for r in await conn.execute(stmt)]
        for row in rows:
            row.pop("updated_at", None)
        return [_jsonable(row, id_column) for row in rows]
