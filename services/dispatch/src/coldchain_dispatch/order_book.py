"""Projection of `orders.events.v1`: the orders dispatch may plan.

Latest version wins: an event whose `version` is not newer than the row's changes
nothing, so a redelivered or replayed event is harmless without an inbox. Events that
carry the order (received, accepted, amended) refresh its spec; assignment and pick-up
events remember the vehicle. Closed orders keep their row (status only), so an old
event can never reopen them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import OrderStatus
from coldchain_contracts.orders import (
    OrderAccepted,
    OrderAmended,
    OrderAssigned,
    OrderEvent,
    OrderPickedUp,
    OrderReceived,
    OrderUnassigned,
)
from coldchain_dispatch.db import orders

OPEN = (OrderStatus.ACCEPTED, OrderStatus.PLANNED, OrderStatus.ASSIGNED, OrderStatus.PICKED_UP)
"""Statuses dispatch plans for; picked-up orders are on board their vehicle."""


@dataclass(frozen=True, slots=True)
class OrderRow:
    order_id: uuid.UUID
    status: str
    version: int
    spec: dict[str, Any] | None
    vehicle_id: str | None
    updated_at: datetime


def next_row(current: OrderRow | None, event: OrderEvent) -> OrderRow | None:
    """The row after `event`, or None when the event is not newer (nothing to write)."""
    if current is not None and event.version <= current.version:
        return None
    spec = current.spec if current else None
    vehicle = current.vehicle_id if current else None
    if isinstance(event, OrderReceived | OrderAccepted | OrderAmended):
        spec = event.order.model_dump(mode="json")
    if isinstance(event, OrderAssigned | OrderPickedUp):
        vehicle = event.vehicle_id
    elif isinstance(event, OrderUnassigned):
        vehicle = None
    return OrderRow(event.order_id, event.status.value, event.version, spec, vehicle, event.occurred_at)


class OrderBook:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, events: Sequence[OrderEvent]) -> list[OrderRow]:
        """Apply a batch in one transaction; returns the rows that changed."""
        changed: list[OrderRow] = []
        async with self._engine.begin() as conn:
            ids = list({e.order_id for e in events})
            result = await conn.execute(select(orders).where(orders.c.order_id.in_(ids)).with_for_update())
            rows = {r.order_id: OrderRow(**r._mapping) for r in result}
            for event in events:
                row = next_row(rows.get(event.order_id), event)
                if row is not None:
                    rows[event.order_id] = row
                    changed.append(row)
            latest = {r.order_id: r for r in changed}
            if latest:
                stmt = insert(orders)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["order_id"],
                    set_={
                        c: stmt.excluded[c] for c in ("status", "version", "spec", "vehicle_id", "updated_at")
                    },
                    where=orders.c.version < stmt.excluded.version,
                )
                await conn.execute(stmt, [_values(r) for r in latest.values()])
        return changed

    async def get(self, order_id: uuid.UUID) -> OrderRow | None:
        async with self._engine.connect() as conn:
            r = (await conn.execute(select(orders).where(orders.c.order_id == order_id))).first()
            return OrderRow(**r._mapping) if r else None


def _values(row: OrderRow) -> dict[str, Any]:
    return {
        "order_id": row.order_id,
        "status": row.status,
        "version": row.version,
        "spec": row.spec,
        "vehicle_id": row.vehicle_id,
        "updated_at": row.updated_at,
    }
