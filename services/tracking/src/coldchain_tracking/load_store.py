"""Orders on board, per vehicle: PostgreSQL rows plus an in-memory copy for the analysis.

PostgreSQL, not Redis: `orders.events.v1` is not compacted (four weeks' retention), so
unlike the geofences and compartments this projection cannot be rebuilt from its topic
once lost; in this architecture Redis holds what can be rebuilt. `apply` is idempotent by order
id and version: a row is only written by a newer version of its order.

Every replica may analyse any vehicle, so each keeps the orders on board in memory,
refreshed every `REFERENCE_REFRESH_S` (and at once after this replica applied events).

Finished orders (delivered, cancelled, failed, rejected) keep their row, so that a late
redelivery of an older event cannot put them back on board; `purge` drops them once
older than `TRACKING_LOADS_KEEP_DAYS`, beyond the topic's retention (28 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts.orders import OrderEvent, OrderStatus
from coldchain_tracking.analysis.loads import OnBoard
from coldchain_tracking.db import order_loads
from coldchain_tracking.load_projection import columns_of

FINISHED = tuple(
    s.value for s in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED, OrderStatus.REJECTED)
)


def _upsert(columns: dict[str, Any]) -> Any:
    stmt = insert(order_loads).values(columns)
    changes: dict[str, Any] = {c: stmt.excluded[c] for c in columns if c != "order_id"}
    changes["updated_at"] = func.now()
    return stmt.on_conflict_do_update(
        index_elements=["order_id"], set_=changes, where=order_loads.c.version < stmt.excluded.version
    )


class LoadStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._on_board: dict[str, tuple[OnBoard, ...]] = {}

    def on_board(self, vehicle_id: str) -> tuple[OnBoard, ...]:
        """The orders on board this vehicle, as of the last refresh."""
        return self._on_board.get(vehicle_id, ())

    async def apply(self, events: Sequence[OrderEvent]) -> int:
        """Apply the events in order, in one transaction; returns how many changed a row."""
        changed = 0
        async with self._engine.begin() as conn:
            for event in events:
                columns = columns_of(event)
                if columns is not None:
                    result = await conn.execute(_upsert(columns))
                    changed += result.rowcount
        if changed:
            await self.load()
        return changed

    async def load(self) -> None:
        """Refresh the in-memory copy from PostgreSQL."""
        query = select(
            order_loads.c.order_id,
            order_loads.c.vehicle_id,
            order_loads.c.departed_at,
            order_loads.c.zone,
            order_loads.c.setpoint_celsius,
            order_loads.c.dropoff_site_id,
        ).where(
            order_loads.c.status == OrderStatus.PICKED_UP.value,
            order_loads.c.vehicle_id.is_not(None),
            order_loads.c.departed_at.is_not(None),
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        by_vehicle: dict[str, list[OnBoard]] = {}
        for row in rows:
            by_vehicle.setdefault(row["vehicle_id"], []).append(OnBoard.model_validate(dict(row)))
        self._on_board = {vid: tuple(orders) for vid, orders in by_vehicle.items()}

    async def purge(self, keep: timedelta) -> int:
        """Drop finished orders not changed for `keep`; returns how many."""
        query = delete(order_loads).where(
            order_loads.c.status.in_(FINISHED), order_loads.c.updated_at < func.now() - keep
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(query)).rowcount
