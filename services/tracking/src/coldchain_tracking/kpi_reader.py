"""Reads the period's trips, orders on board and excursions for the pure KPIs (`reports.kpis`).

Trips and excursions are tracking's own projections of `tracking.events.v1`; orders come
from `order_loads`, tracking's projection of `orders.events.v1` (pick-up and delivery
departures, on-time flags set by the orders service). So one service answers from both
streams, and the gateway forwards one call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import Compartment
from coldchain_tracking.db import excursions, order_loads, trips
from coldchain_tracking.reports.kpis import Carried, ExcursionSpan, Kpis, Trip, compute


@dataclass(frozen=True)
class KpiReader:
    engine: AsyncEngine

    async def read(
        self, start: datetime, end: datetime, compartments: Mapping[str, tuple[Compartment, ...]]
    ) -> Kpis:
        trip_query = select(
            trips.c.vehicle_id, trips.c.started_at, trips.c.ended_at, trips.c.distance_km
        ).where(trips.c.started_at >= start, trips.c.started_at < end)
        # On board at some moment of the period: picked up before its end, not delivered before its start.
        order_query = select(
            order_loads.c.vehicle_id,
            order_loads.c.departed_at,
            order_loads.c.delivered_at,
            order_loads.c.pallets,
            order_loads.c.pickup_on_time,
            order_loads.c.delivery_on_time,
        ).where(
            order_loads.c.vehicle_id.is_not(None),
            order_loads.c.departed_at.is_not(None),
            order_loads.c.departed_at < end,
            or_(order_loads.c.delivered_at.is_(None), order_loads.c.delivered_at >= start),
        )
        excursion_query = select(
            excursions.c.vehicle_id, excursions.c.channel, excursions.c.started_at, excursions.c.ended_at
        ).where(
            excursions.c.started_at < end,
            or_(excursions.c.ended_at.is_(None), excursions.c.ended_at >= start),
        )
        async with self.engine.connect() as conn:
            trip_rows = (await conn.execute(trip_query)).all()
            order_rows = (await conn.execute(order_query)).all()
            excursion_rows = (await conn.execute(excursion_query)).all()
        capacities = {vid: float(sum(c.pallets for c in cs)) for vid, cs in compartments.items()}
        return compute(
            [Trip(*r) for r in trip_rows],
            [Carried(*r) for r in order_rows],
            [ExcursionSpan(*r) for r in excursion_rows],
            capacities,
            start,
            end,
        )
