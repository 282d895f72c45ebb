"""The orders service's vehicle API (master data), called by the gateway's `/v1/fleet/vehicles`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import utcnow
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_orders import vehicle_store
from coldchain_orders.vehicle_schemas import VehicleIn, VehiclePatch
from coldchain_orders.vehicles import VehicleInvalid, VehicleNotFound, delete_vehicle, write_vehicle
from coldchain_servicekit.problems import problem

router = APIRouter(prefix="/v1/fleet/vehicles", tags=["vehicles"])
VehicleId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
Trace = Annotated[str | None, Header()]


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


@router.get("", summary="Vehicles, filtered and paginated")
async def list_vehicles(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, description="Text in id, name or plate")] = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    return await vehicle_store.list_vehicles(_engine(request), q, active, limit, offset)


@router.get("/{vehicle_id}", summary="One vehicle")
async def get_vehicle(vehicle_id: VehicleId, request: Request) -> dict[str, Any]:
    found = await vehicle_store.one(_engine(request), vehicle_id)
    if found is None:
        raise HTTPException(404, f"No vehicle {vehicle_id!r}")
    return found


async def _write(
    request: Request, vehicle_id: str, fields: dict[str, Any], partial: bool, trace: str | None
) -> JSONResponse:
    try:
        async with _engine(request).begin() as conn:
            written = await write_vehicle(
                conn, vehicle_id, fields, partial=partial, now=utcnow(), trace=trace
            )
    except VehicleNotFound as exc:
        raise HTTPException(404, f"No vehicle {vehicle_id!r}") from exc
    except VehicleInvalid as exc:
        return problem(
            422,
            "Invalid vehicle",
            str(exc),
            instance=request.url.path,
            errors=[{"detail": p} for p in exc.problems],
        )
    return JSONResponse(written.view, status_code=201 if written.created else 200)


@router.put("/{vehicle_id}", summary="Create (201) or replace (200) a vehicle")
async def put_vehicle(
    vehicle_id: VehicleId, vehicle: VehicleIn, request: Request, traceparent: Trace = None
) -> JSONResponse:
    return await _write(
        request, vehicle_id, vehicle.model_dump(mode="json"), partial=False, trace=traceparent
    )


@router.patch("/{vehicle_id}", summary="Change some fields of a vehicle; {'active': false} deactivates it")
async def patch_vehicle(
    vehicle_id: VehicleId, vehicle: VehiclePatch, request: Request, traceparent: Trace = None
) -> JSONResponse:
    fields = vehicle.model_dump(mode="json", exclude_unset=True)
    return await _write(request, vehicle_id, fields, partial=True, trace=traceparent)


@router.delete(
    "/{vehicle_id}", status_code=204, summary="Delete a vehicle (a tombstone on fleet.vehicles.v1)"
)
async def remove_vehicle(vehicle_id: VehicleId, request: Request, traceparent: Trace = None) -> Response:
    try:
        async with _engine(request).begin() as conn:
            await delete_vehicle(conn, vehicle_id, utcnow(), traceparent)
    except VehicleNotFound as exc:
        raise HTTPException(404, f"No vehicle {vehicle_id!r}") from exc
    return Response(status_code=204)
