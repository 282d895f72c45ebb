"""Tracking's query API (read by the gateway): live state and position history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from coldchain_contracts import utcnow
from coldchain_tracking.domain import as_seen_at
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

router = APIRouter(prefix="/v1/vehicles", tags=["vehicles"])


@router.get("/{vehicle_id}/state", summary="Live state of one vehicle")
async def vehicle_state(vehicle_id: str, request: Request) -> dict[str, Any]:
    live: LiveStateStore = request.app.state.live
    settings: TrackingSettings = request.app.state.settings
    state = await live.get(vehicle_id)
    if state is None:
        raise HTTPException(404, f"No state for vehicle {vehicle_id!r}")
    return as_seen_at(state, utcnow(), settings.offline_after_s).model_dump(mode="json")


@router.get("/{vehicle_id}/positions", summary="Position history of one vehicle")
async def vehicle_positions(
    vehicle_id: str,
    request: Request,
    from_: Annotated[
        datetime | None, Query(alias="from", description="Inclusive, ISO-8601 with offset; default 24 h ago")
    ] = None,
    to: Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    history: PositionHistory = request.app.state.history
    end = to or utcnow()
    start = from_ or end - timedelta(hours=24)
    if start.tzinfo is None or end.tzinfo is None:
        raise HTTPException(422, "from and to need a UTC offset, e.g. 2026-11-26T09:00:00Z")
    if start >= end:
        raise HTTPException(422, "from must be before to")
    rows = await history.between(vehicle_id, start, end, limit)
    return {
        "vehicle_id": vehicle_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "count": len(rows),
        "positions": [{k: (str(v) if k == "event_id" else v) for k, v in r.items()} for r in rows],
    }
