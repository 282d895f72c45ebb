"""Device-to-vehicle bindings: a projection of `fleet.vehicles`, cached in memory.

The table makes the projection durable (a restart needs no replay), the dict keeps
the hot path free of database round trips.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_ingest.db import device_bindings


class DeviceBindings:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.cache: dict[str, str] = {}

    async def load(self) -> None:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(device_bindings.c.device_id, device_bindings.c.vehicle_id))
            self.cache = {r.device_id: r.vehicle_id for r in rows}

    async def apply(self, changes: Mapping[str, str | None], at: datetime) -> None:
        bind = {d: v for d, v in changes.items() if v is not None}
        unbind = [d for d, v in changes.items() if v is None]
        async with self._engine.begin() as conn:
            if bind:
                stmt = insert(device_bindings)
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["device_id"],
                        set_={"vehicle_id": stmt.excluded.vehicle_id, "updated_at": stmt.excluded.updated_at},
                    ),
                    [{"device_id": d, "vehicle_id": v, "updated_at": at} for d, v in bind.items()],
                )
            if unbind:
                await conn.execute(delete(device_bindings).where(device_bindings.c.device_id.in_(unbind)))
        self.cache.update(bind)
        for device in unbind:
            self.cache.pop(device, None)
