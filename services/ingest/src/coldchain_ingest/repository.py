"""Device-to-vehicle bindings: a projection of `fleet.vehicles`, cached in memory.

The table makes the projection durable (a restart needs no replay), the dict keeps
the hot path free of database round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_ingest.db import device_bindings
from coldchain_ingest.domain import bind_device, rebind


class DeviceBindings:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.cache: dict[str, str] = {}

    async def load(self) -> None:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(device_bindings.c.device_id, device_bindings.c.vehicle_id))
            self.cache = {r.device_id: r.vehicle_id for r in rows}

    async def apply_vehicle(self, vehicle_id: str, device_ids: Sequence[str], at: datetime) -> None:
        """Make the stored bindings of one vehicle exactly `device_ids` (see `domain.rebind`)."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(device_bindings).where(
                    device_bindings.c.vehicle_id == vehicle_id, device_bindings.c.device_id.not_in(device_ids)
                )
            )
            if device_ids:
                stmt = insert(device_bindings)
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["device_id"],
                        set_={"vehicle_id": stmt.excluded.vehicle_id, "updated_at": stmt.excluded.updated_at},
                    ),
                    [{"device_id": d, "vehicle_id": vehicle_id, "updated_at": at} for d in device_ids],
                )
        self.cache = rebind(self.cache, vehicle_id, device_ids)

    async def apply_device(self, device_id: str, vehicle_id: str | None, at: datetime) -> None:
        """Bind one device to a vehicle (None: unbind it), from the device registry."""
        async with self._engine.begin() as conn:
            if vehicle_id is None:
                await conn.execute(delete(device_bindings).where(device_bindings.c.device_id == device_id))
            else:
                stmt = insert(device_bindings).values(
                    device_id=device_id, vehicle_id=vehicle_id, updated_at=at
                )
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["device_id"],
                        set_={"vehicle_id": stmt.excluded.vehicle_id, "updated_at": stmt.excluded.updated_at},
                    )
                )
        self.cache = bind_device(self.cache, device_id, vehicle_id)
