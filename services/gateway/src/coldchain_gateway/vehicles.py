"""Vehicle reads: live states from the gateway's own copy of `tracking.vehicle-state.v1`
(tracking's query API until that copy has caught up), history from tracking.

Upstream answers (including its problem details) pass through unchanged; an
unreachable upstream is a 503 problem, never a hang. Lists are pages: `limit` plus the
`next_cursor` of the previous page passed back as `cursor`.

Each route notes the permission it needs (`# permission: ...`) for the auth layer.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN, TEXT_PATTERN
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses, read_responses
from coldchain_gateway.schemas import CURSOR_PATTERN, PeriodStatus
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.upstream import forward

router = APIRouter(
    prefix="/v1/vehicles",
    tags=["vehicles"],
    dependencies=[require(Permission.VEHICLES_READ, RateClass.READ)],
    responses=problem_responses(*PROTECTED, 404, 502),
)
VehicleId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
From = Annotated[datetime | None, Query(alias="from", description="Inclusive, ISO-8601 with offset")]
To = Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page, unchanged"
    ),
]


async def _forward(request: Request, path: str, params: dict[str, Any] | None = None) -> Response:
    # Passed through as bytes: the gateway neither re-parses nor re-encodes tracking's JSON.
    return await forward(request.app.state.tracking, "tracking", "GET", path, params=params)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# permission: vehicles:read
@router.get("", summary="Live states of all vehicles, by vehicle id", responses=read_responses("vehicles"))
async def list_vehicles(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[
        str | None,
        Query(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN, description="`next_cursor` of the previous page"),
    ] = None,
) -> Response:
    states = request.app.state.live_states
    if not states.caught_up:
        return await _forward(request, "/v1/vehicles", {"limit": limit, "cursor": cursor})
    page, next_cursor = states.page_with_cursor(cursor, limit)
    # The states are JSON as published: joined, not re-encoded.
    body = b'{"count":%d,"vehicles":[%s],"next_cursor":%s}' % (
        len(page),
        b",".join(page),
        json.dumps(next_cursor).encode(),
    )
    return Response(body, media_type="application/json")


# permission: vehicles:read
@router.get("/{vehicle_id}/state", summary="Live state of one vehicle")
async def vehicle_state(vehicle_id: VehicleId, request: Request) -> Response:
    cached = request.app.state.live_states.get(vehicle_id)
    if cached is not None:
        return Response(cached, media_type="application/json")
    return await _forward(request, f"/v1/vehicles/{vehicle_id}/state")


# permission: vehicles:read
@router.get(
    "/{vehicle_id}/positions",
    summary="Position history between two instants",
    responses=read_responses("positions"),
)
async def vehicle_positions(
    vehicle_id: VehicleId,
    request: Request,
    from_: Annotated[
        datetime | None,
        Query(alias="from", description="Inclusive, ISO-8601 with offset; default 24 h before `to`"),
    ] = None,
    to: To = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: Cursor = None,
) -> Response:
    params = {"from": _iso(from_), "to": _iso(to), "limit": limit, "cursor": cursor}
    return await _forward(request, f"/v1/vehicles/{vehicle_id}/positions", params)


# permission: vehicles:read
@router.get(
    "/{vehicle_id}/temperatures",
    summary="Temperature log between two instants (cold-chain compliance record)",
    description="Every fix that carried compartment readings, oldest first; default window 24 h.",
    responses=read_responses("temperatures"),
)
async def vehicle_temperatures(
    vehicle_id: VehicleId,
    request: Request,
    from_: From = None,
    to: To = None,
    channel: Annotated[
        str | None, Query(min_length=1, max_length=8, pattern=TEXT_PATTERN, description="Only this channel")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: Cursor = None,
) -> Response:
    params = {"from": _iso(from_), "to": _iso(to), "channel": channel, "limit": limit, "cursor": cursor}
    return await _forward(request, f"/v1/vehicles/{vehicle_id}/temperatures", params)


def _periods(kind: str, summary: str) -> None:
    """A proxied list of trips, stops, excursions or alerts overlapping [from, to)."""

    @router.get(
        f"/{{vehicle_id}}/{kind}",
        summary=summary,
        description="Periods overlapping the window (default the last 7 days), by start time.",
        responses=read_responses(kind),
        name=f"vehicle_{kind}",
    )
    async def periods(
        vehicle_id: VehicleId,
        request: Request,
        from_: From = None,
        to: To = None,
        status: Annotated[PeriodStatus | None, Query(description="open or closed; default both")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: Cursor = None,
    ) -> Response:
        params = {
            "from": _iso(from_),
            "to": _iso(to),
            "status": status.value if status else None,
            "limit": limit,
            "cursor": cursor,
        }
        return await _forward(request, f"/v1/vehicles/{vehicle_id}/{kind}", params)


_periods("trips", "Trips of one vehicle")  # permission: vehicles:read
_periods("stops", "Stops of one vehicle")  # permission: vehicles:read
_periods("excursions", "Temperature excursions of one vehicle")  # permission: vehicles:read
_periods("alerts", "Alerts of one vehicle")  # permission: vehicles:read
