"""Read side of the orders schema: filtered, paginated lists and one order with its history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_orders.db import order_events, orders, sites


@dataclass(frozen=True, slots=True)
class OrderFilter:
    requested_date: date | None = None
    date_to: date | None = None
    status: tuple[str, ...] = ()
    zone: str | None = None
    site_id: str | None = None
    vehicle_id: str | None = None
    text: str | None = None


def like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(stmt: Select[Any], f: OrderFilter) -> Select[Any]:
    if f.requested_date is not None and f.date_to is None:
        stmt = stmt.where(orders.c.requested_date == f.requested_date)
    elif f.requested_date is not None:
        stmt = stmt.where(orders.c.requested_date.between(f.requested_date, f.date_to))
    if f.status:
        stmt = stmt.where(orders.c.status.in_(f.status))
    if f.zone:
        stmt = stmt.where(orders.c.zone == f.zone)
    if f.site_id:
        stmt = stmt.where(or_(orders.c.pickup_site_id == f.site_id, orders.c.dropoff_site_id == f.site_id))
    if f.vehicle_id:
        stmt = stmt.where(orders.c.vehicle_id == f.vehicle_id)
    if f.text:
        pattern = like_pattern(f.text)
        stmt = stmt.where(
            or_(
                orders.c.order_number.ilike(pattern),
                orders.c.spec["goods"].astext.ilike(pattern),
                orders.c.spec["notes"].astext.ilike(pattern),
            )
        )
    return stmt


def order_view(row: Any) -> dict[str, Any]:
    return {
        "order_id": str(row.order_id),
        "operator_id": row.operator_id,
        "order_number": row.order_number,
        "status": row.status,
        "version": row.version,
        **{k: v for k, v in row.spec.items() if k != "order_number"},
        "vehicle_id": row.vehicle_id,
        "plan_id": str(row.plan_id) if row.plan_id else None,
        "rejection_reasons": row.rejection_reasons,
        "pickup_arrived_at": _iso(row.pickup_arrived_at),
        "picked_up_at": _iso(row.picked_up_at),
        "dropoff_arrived_at": _iso(row.dropoff_arrived_at),
        "delivered_at": _iso(row.delivered_at),
        "pickup_on_time": row.pickup_on_time,
        "delivery_on_time": row.delivery_on_time,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class OrderQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list_orders(self, f: OrderFilter, limit: int, offset: int) -> dict[str, Any]:
        stmt = _filtered(select(orders), f).order_by(
            orders.c.requested_date.desc(), orders.c.created_at.desc(), orders.c.order_id
        )
        count = _filtered(select(func.count()).select_from(orders), f)
        async with self._engine.connect() as conn:
            total = (await conn.execute(count)).scalar_one()
            rows = (await conn.execute(stmt.limit(limit).offset(offset))).all()
        return {"total": total, "limit": limit, "offset": offset, "items": [order_view(r) for r in rows]}

    async def order(self, order_id: uuid.UUID) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(orders).where(orders.c.order_id == order_id))).first()
            if row is None:
                return None
            events = await conn.execute(
                select(order_events.c.payload)
                .where(order_events.c.order_id == order_id)
                .order_by(order_events.c.seq)
            )
            history = [e.payload for e in events]
        return {**order_view(row), "events": history}

    async def list_sites(
        self, text: str | None, role: str | None, active: bool | None, limit: int, offset: int
    ) -> dict[str, Any]:
        stmt = select(sites.c.record)
        count = select(func.count()).select_from(sites)
        conditions = []
        if text:
            conditions.append(
                or_(sites.c.code.ilike(like_pattern(text)), sites.c.name.ilike(like_pattern(text)))
            )
        if role:
            conditions.append(sites.c.role == role)
        if active is not None:
            conditions.append(sites.c.active == active)
        for condition in conditions:
            stmt, count = stmt.where(condition), count.where(condition)
        async with self._engine.connect() as conn:
            total = (await conn.execute(count)).scalar_one()
            rows = (await conn.execute(stmt.order_by(sites.c.code).limit(limit).offset(offset))).all()
        return {"total": total, "limit": limit, "offset": offset, "items": [r.record for r in rows]}

    async def site_records(self, active: bool | None, limit: int) -> list[dict[str, Any]]:
        """Every site's record by code (`active` filters), at most `limit` of them."""
        stmt = select(sites.c.record).order_by(sites.c.code).limit(limit)
        if active is not None:
            stmt = stmt.where(sites.c.active == active)
        async with self._engine.connect() as conn:
            return [dict(r.record) for r in (await conn.execute(stmt)).all()]

    async def site(self, site_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(sites.c.record).where(sites.c.site_id == site_id))).first()
        return dict(row.record) if row else None
