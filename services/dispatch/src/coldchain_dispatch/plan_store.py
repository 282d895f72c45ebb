"""PostgreSQL side of planning: the projections it reads, plan records, revisions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_dispatch.db import orders, plans, route_revisions, sites, vehicle_positions, vehicles
from coldchain_dispatch.order_book import OPEN

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Inputs:
    vehicles: list[Row]
    sites: list[Row]
    positions: list[Row]
    orders: list[Row]


class PlanStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def inputs(self) -> Inputs:
        async with self._engine.connect() as conn:

            async def rows(query: Any) -> list[Row]:
                return [dict(r._mapping) for r in await conn.execute(query)]

            return Inputs(
                vehicles=await rows(select(vehicles).where(vehicles.c.active)),
                sites=await rows(select(sites)),
                positions=await rows(select(vehicle_positions)),
                orders=await rows(select(orders).where(orders.c.status.in_([s.value for s in OPEN]))),
            )

    async def sites(self) -> dict[str, Row]:
        async with self._engine.connect() as conn:
            return {r.site_id: dict(r._mapping) for r in await conn.execute(select(sites))}

    async def position(self, vehicle_id: str) -> Row | None:
        async with self._engine.connect() as conn:
            r = (
                await conn.execute(
                    select(vehicle_positions).where(vehicle_positions.c.vehicle_id == vehicle_id)
                )
            ).first()
            return dict(r._mapping) if r else None

    async def get(self, plan_id: uuid.UUID) -> Row | None:
        async with self._engine.connect() as conn:
            r = (await conn.execute(select(plans).where(plans.c.plan_id == plan_id))).first()
            return dict(r._mapping) if r else None

    async def current(self) -> Row | None:
        """The newest plan that succeeded: what insertions and re-plans start from."""
        async with self._engine.connect() as conn:
            r = (
                await conn.execute(
                    select(plans)
                    .where(plans.c.status == "done")
                    .order_by(plans.c.completed_at.desc(), plans.c.plan_id)
                    .limit(1)
                )
            ).first()
            return dict(r._mapping) if r else None

    async def recent(self, limit: int) -> list[Row]:
        columns = [c for c in plans.c if c.name not in ("inputs", "routes", "assignments")]
        async with self._engine.connect() as conn:
            result = await conn.execute(select(*columns).order_by(plans.c.completed_at.desc()).limit(limit))
            return [dict(r._mapping) for r in result]

    async def revisions(self, vehicle_ids: Sequence[str]) -> dict[str, int]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(route_revisions.c.vehicle_id, route_revisions.c.revision).where(
                    route_revisions.c.vehicle_id.in_(list(vehicle_ids))
                )
            )
            return {r.vehicle_id: r.revision for r in result}

    async def save(self, record: dict[str, Any]) -> bool:
        """Insert the plan and advance its vehicles' revisions in one transaction.

        False when the plan id already exists (a redelivered command): nothing changes.
        """
        async with self._engine.begin() as conn:
            inserted = await conn.execute(
                insert(plans).values(**record).on_conflict_do_nothing(index_elements=["plan_id"])
            )
            if inserted.rowcount == 0:
                return False
            revisions = [
                {"vehicle_id": a["vehicle_id"], "revision": a["revision"], "plan_id": record["plan_id"]}
                for a in record.get("assignments") or []
            ]
            if revisions:
                stmt = insert(route_revisions)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["vehicle_id"],
                    set_={"revision": stmt.excluded.revision, "plan_id": stmt.excluded.plan_id},
                )
                await conn.execute(stmt, revisions)
            return True
