"""PostgreSQL `tracking.order_compartments`: the compartments each order was planned into.

One row per (order, vehicle), written only by a newer route revision of that vehicle
(revisions grow per vehicle), so a redelivered or older route changes nothing. A row is
kept when a later route drops the order (re-planned after an excursion, say): the goods
were loaded as planned, and the record of their compartment must outlive the plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import RouteAssigned
from coldchain_tracking.db import order_compartments
from coldchain_tracking.route_compartments import order_channels


class CompartmentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, routes: Sequence[RouteAssigned]) -> int:
        """Project the routes in order, in one transaction; returns how many rows changed."""
        changed = 0
        async with self._engine.begin() as conn:
            for route in routes:
                for order_id, channels in order_channels(route).items():
                    stmt = insert(order_compartments).values(
                        order_id=order_id,
                        vehicle_id=route.vehicle_id,
                        channels=list(channels),
                        route_revision=route.revision,
                        plan_id=route.plan_id,
                    )
                    stmt = stmt.on_conflict_do_update(
                        index_elements=["order_id", "vehicle_id"],
                        set_={
                            "channels": stmt.excluded.channels,
                            "route_revision": stmt.excluded.route_revision,
                            "plan_id": stmt.excluded.plan_id,
                            "updated_at": func.now(),
                        },
                        where=order_compartments.c.route_revision < stmt.excluded.route_revision,
                    )
                    changed += (await conn.execute(stmt)).rowcount
        return changed

    async def channels(self, order_id: uuid.UUID, vehicle_id: str) -> tuple[str, ...] | None:
        """The order's channels on that vehicle, or None when no route placed it there."""
        query = select(order_compartments.c.channels).where(
            order_compartments.c.order_id == order_id, order_compartments.c.vehicle_id == vehicle_id
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return tuple(row[0]) if row else None
