"""`ingest.uvis_cursors`: the last device time published per terminal and list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_ingest.db import uvis_cursors
from coldchain_ingest.protocols.uvis.fixes import CursorKey, Kind


class UvisCursors:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> dict[CursorKey, datetime]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(uvis_cursors))
            return {(r.terminal_id, Kind(r.kind)): r.last_device_time for r in rows}

    async def advance(self, moved: Mapping[CursorKey, datetime], now: datetime) -> None:
        """Store the new cursors; a cursor never moves back, even if two writers race."""
        if not moved:
            return
        stmt = insert(uvis_cursors)
        async with self._engine.begin() as conn:
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["terminal_id", "kind"],
                    set_={
                        "last_device_time": func.greatest(
                            uvis_cursors.c.last_device_time, stmt.excluded.last_device_time
                        ),
                        "updated_at": stmt.excluded.updated_at,
                    },
                ),
                [
                    {"terminal_id": t, "kind": k.value, "last_device_time": at, "updated_at": now}
                    for (t, k), at in moved.items()
                ],
            )
