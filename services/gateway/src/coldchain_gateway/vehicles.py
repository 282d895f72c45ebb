"""Vehicle reads, answered by tracking's query API.

Upstream answers (including its problem details) pass through unchanged; an
unreachable upstream is a 503 problem, never a hang.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from coldchain_gateway.schemas import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission

router = APIRouter(
    prefix="/v1/vehicles",
    tags=["vehicles"],
    dependencies=[require(Permission.VEHICLES_READ, RateClass.READ)],
    responses=problem_responses(*PROTECTED, 404, 502),
)
VehicleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


async def _forward(request: Request, path: str, params: dict[str, Any] | None = None) -> JSONResponse:
    client: httpx.AsyncClient = request.app.state.tracking
    try:
        upstream = await client.get(path, params={k: v for k, v in (params or {}).items() if v is not None})
    except httpx.HTTPError as exc:
        raise HTTPException(503, "Tracking service unavailable", headers={"Retry-After": "5"}) from exc
    if upstream.status_code >= 500:
        raise HTTPException(502, "Tracking service error")
    try:
        body = upstream.json()
    except ValueError as exc:
        raise HTTPException(502, "Tracking service answered something that is not JSON") from exc
    return JSONResponse(
        body, status_code=upstream.status_code, media_type=upstream.headers.get("content-type")
    )


@router.get("/{vehicle_id}/state", summary="Live state of one vehicle")
async def vehicle_state(vehicle_id: VehicleId, request: Request) -> JSONResponse:
    return await _forward(request, f"/v1/vehicles/{vehicle_id}/state")


@router.get("/{vehicle_id}/positions", summary="Position history between two instants")
async def vehicle_positions(
    vehicle_id: VehicleId,
    request: Request,
    from_: Annotated[
        datetime | None,
        Query(alias="from", description="Inclusive, ISO-8601 with offset; default 24 h before `to`"),
    ] = None,
    to: Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> JSONResponse:
    params = {
        "from": from_.isoformat() if from_ else None,
        "to": to.isoformat() if to else None,
        "limit": limit,
    }
    return await _forward(request, f"/v1/vehicles/{vehicle_id}/positions", params)
