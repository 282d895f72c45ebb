"""Tracking's query API (read by the gateway): live state and history.

Every list is a page: `limit` (capped) plus an opaque `cursor`, returned as
`next_cursor` when the page is full. Time windows are half-open [from, to) on device
time; for trips, stops, excursions and alerts, on overlap with the period.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from coldchain_contracts import utcnow
from coldchain_contracts.identifiers import TEXT_PATTERN
from coldchain_tracking.domain import as_seen_at
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.paging import Cursor
from coldchain_tracking.periods import ID_COLUMN, PeriodStore, Status
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

router = APIRouter(prefix="/v1/vehicles", tags=["vehicles"])
MAX_WINDOW = timedelta(days=366)

From = Annotated[datetime | None, Query(alias="from", description="Inclusive, ISO-8601 with offset")]
To = Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")]
CursorParam = Annotated[str | None, Query(description="`next_cursor` of the previous page")]


def window(from_: datetime | None, to: datetime | None, default: timedelta) -> tuple[datetime, datetime]:
    end = to or utcnow()
    start = from_ or end - default
    if start.tzinfo is None or end.tzinfo is None:
        raise HTTPException(422, "from and to need a UTC offset, e.g. 2026-11-26T09:00:00Z")
    if start >= end:
        raise HTTPException(422, "from must be before to")
    if end - start > MAX_WINDOW:
        raise HTTPException(422, f"from and to may be at most {MAX_WINDOW.days} days apart")
    return start, end


def cursor_of(token: str | None) -> Cursor | None:
    if token is None:
        return None
    try:
        return Cursor.decode(token)
    except ValueError as exc:
        raise HTTPException(422, "cursor is not one this API issued") from exc


def page(
    vehicle_id: str,
    start: datetime,
    end: datetime,
    key: str,
    items: list[dict[str, Any]],
    limit: int,
    next_: str | None,
) -> dict[str, Any]:
    return {
        "vehicle_id": vehicle_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "count": len(items),
        key: items,
        "next_cursor": next_ if len(items) == limit else None,
    }


@router.get("", summary="Live states of all vehicles, by vehicle id")
async def vehicles(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page")
    ] = None,
) -> dict[str, Any]:
    live: LiveStateStore = request.app.state.live
    settings: TrackingSettings = request.app.state.settings
    states = await live.page(cursor, limit)
    now = utcnow()
    return {
        "count": len(states),
        "vehicles": [as_seen_at(s, now, settings.offline_after_s).model_dump(mode="json") for s in states],
        "next_cursor": states[-1].vehicle_id if len(states) == limit else None,
    }


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
    from_: From = None,
    to: To = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    history: PositionHistory = request.app.state.history
    start, end = window(from_, to, timedelta(hours=24))
    after = cursor_of(cursor)
    rows = await history.between(vehicle_id, start, end, limit, after.at if after else None)
    next_ = Cursor(rows[-1]["device_time"]).encode() if rows else None
    return page(vehicle_id, start, end, "positions", rows, limit, next_)


@router.get("/{vehicle_id}/temperatures", summary="Temperature log of one vehicle (compliance record)")
async def vehicle_temperatures(
    vehicle_id: str,
    request: Request,
    from_: From = None,
    to: To = None,
    channel: Annotated[str | None, Query(min_length=1, max_length=8, pattern=TEXT_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: CursorParam = None,
) -> dict[str, Any]:
    history: PositionHistory = request.app.state.history
    start, end = window(from_, to, timedelta(hours=24))
    after = cursor_of(cursor)
    rows = await history.temperature_log(vehicle_id, start, end, limit, after.at if after else None, channel)
    next_ = Cursor(rows[-1]["device_time"]).encode() if rows else None
    return page(vehicle_id, start, end, "readings", rows, limit, next_)


def _periods_route(kind: str, summary: str) -> None:
    @router.get(f"/{{vehicle_id}}/{kind}", summary=summary, name=f"vehicle_{kind}")
    async def periods(
        vehicle_id: str,
        request: Request,
        from_: From = None,
        to: To = None,
        status: Annotated[Status | None, Query(description="open or closed; default both")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: CursorParam = None,
    ) -> dict[str, Any]:
        store: PeriodStore = request.app.state.periods
        start, end = window(from_, to, timedelta(days=7))
        after = cursor_of(cursor)
        try:
            rows = await store.list(kind, vehicle_id, start, end, limit, after, status)
        except ValueError as exc:  # a cursor of another list
            raise HTTPException(422, "cursor is not one this API issued") from exc
        next_ = Cursor(rows[-1]["started_at"], rows[-1][ID_COLUMN[kind]]).encode() if rows else None
        return page(vehicle_id, start, end, kind, rows, limit, next_)


_periods_route("trips", "Trips of one vehicle overlapping a time window")
_periods_route("stops", "Stops of one vehicle overlapping a time window")
_periods_route("excursions", "Temperature excursions of one vehicle overlapping a time window")
_periods_route("alerts", "Alerts of one vehicle overlapping a time window")
