"""The dispatch projections: each a latest-wins upsert of its compacted topic.

Vehicles and sites carry their whole record in every message, so the newest message
per key replaces the row. Positions only ever move forward in device time, so a
late or replayed state never drags a vehicle back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import SiteUpserted, VehicleRegistered, VehicleStateChanged
from coldchain_dispatch.db import sites, vehicle_positions, vehicles

T = TypeVar("T", VehicleRegistered, SiteUpserted)


def _latest(items: Sequence[T], key: str) -> list[T]:
    """The last message per key of a batch (a batch is in partition order)."""
    return list({getattr(item, key): item for item in items}.values())


class Projections:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply_vehicles(self, batch: Sequence[VehicleRegistered]) -> None:
        rows = [
            {
                "vehicle_id": v.vehicle_id,
                "body_type": v.body_type.value,
                "compartments": [c.model_dump(mode="json") for c in v.compartments],
                "weight_capacity_kg": v.weight_capacity_kg,
                "forklift": v.forklift,
                "depot_latitude": v.depot.latitude if v.depot else None,
                "depot_longitude": v.depot.longitude if v.depot else None,
                "depot_site_id": v.depot.site_id if v.depot else None,
                "shift_start": v.shift_start,
                "shift_end": v.shift_end,
                "shift_weekdays": list(v.shift_weekdays) if v.shift_weekdays is not None else None,
                "max_route_minutes": v.max_route_minutes,
                "cost_per_km": v.cost_per_km,
                "active": v.active,
                "updated_at": v.occurred_at,
            }
            for v in _latest(batch, "vehicle_id")
        ]
        await self._upsert(vehicles, "vehicle_id", rows)

    async def apply_sites(self, batch: Sequence[SiteUpserted]) -> None:
        rows = [
            {
                "site_id": s.site_id,
                "code": s.code,
                "name": s.name,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "role": s.role.value,
                "opening_hours": [h.model_dump(mode="json") for h in s.opening_hours],
                "loading_minutes": s.loading_minutes,
                "unloading_minutes": s.unloading_minutes,
                "forklift": s.forklift.value,
                "active": s.active,
                "updated_at": s.occurred_at,
            }
            for s in _latest(batch, "site_id")
        ]
        await self._upsert(sites, "site_id", rows)

    async def apply_positions(self, batch: Sequence[VehicleStateChanged]) -> None:
        latest = {s.vehicle_id: s for s in sorted(batch, key=lambda s: s.device_time)}
        if not latest:
            return
        stmt = insert(vehicle_positions)
        stmt = stmt.on_conflict_do_update(
            index_elements=["vehicle_id"],
            set_={c: stmt.excluded[c] for c in ("device_time", "latitude", "longitude", "motion")},
            where=vehicle_positions.c.device_time < stmt.excluded.device_time,
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                stmt,
                [
                    {
                        "vehicle_id": s.vehicle_id,
                        "device_time": s.device_time,
                        "latitude": s.latitude,
                        "longitude": s.longitude,
                        "motion": s.motion.value,
                    }
                    for s in latest.values()
                ],
            )

    async def _upsert(self, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={c: stmt.excluded[c] for c in rows[0] if c != key}
        )
        async with self._engine.begin() as conn:
            await conn.execute(stmt, rows)
