"""Vehicles as master data through the gateway: the orders service owns them.

Writes are forwarded synchronously (like sites), so the caller learns at once about an
unknown depot, a duplicated channel, a setpoint outside its band or a device bound to
another vehicle (422 with every reason). The orders service publishes each change on
`fleet.vehicles.v1`; ingest's device bindings, tracking's compartments and dispatch's
fleet follow from it. Live states stay under `/v1/vehicles` (vehicles.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Header, Path, Query, Request, Response, UploadFile

from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.uploads import forward_import
from coldchain_gateway.upstream import forward

router = APIRouter(
    prefix="/v1/fleet/vehicles",
    tags=["fleet"],
    responses=problem_responses(*PROTECTED, 404, 415, 502, 503),
)
VehicleId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
VEHICLE_EXAMPLE: dict[str, Any] = {
    "name": "Truck 07",
    "plate": "12가3456",
    "body_type": "dual",
    "compartments": [
        {"channel": "A", "zone": "frozen", "setpoint_celsius": -20, "pallets": 8},
        {"channel": "B", "zone": "chilled", "setpoint_celsius": 3, "pallets": 6},
    ],
    "weight_capacity_kg": 5000,
    "volume_capacity_m3": 30,
    "forklift": False,
    "depot_site_id": "depot-icheon",
    "shift": {"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"},
    "max_route_minutes": 600,
    "cost_per_km": 1.2,
    "active": True,
    "device_ids": ["sim-0001"],
}
VehicleBody = Annotated[dict[str, Any], Body(examples=[VEHICLE_EXAMPLE])]
READ = [require(Permission.VEHICLES_READ, RateClass.READ)]
WRITE = [require(Permission.VEHICLES_WRITE, RateClass.WRITE)]


def _orders(request: Request) -> Any:
    return request.app.state.orders


def _trace(traceparent: str | None) -> dict[str, str]:
    return {"traceparent": traceparent} if traceparent else {}


@router.get("", summary="Vehicles, filtered and paginated", dependencies=READ)
async def list_vehicles(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    params = {"q": q, "active": active, "limit": limit, "offset": offset}
    return await forward(_orders(request), "orders", "GET", "/v1/fleet/vehicles", params=params)


@router.post(
    "/import",
    summary="Import vehicles from a CSV or XLSX file; the answer reports every row",
    dependencies=WRITE,
)
async def import_vehicles(
    request: Request, file: Annotated[UploadFile, File(description="vehicles.csv or vehicles.xlsx")]
) -> Response:
    settings: GatewaySettings = request.app.state.settings
    return await forward_import(request, "vehicles", file, settings)


@router.get("/import/template.{fmt}", summary="Template for the vehicles import", dependencies=READ)
async def vehicles_template(request: Request, fmt: Literal["csv", "xlsx"]) -> Response:
    return await forward(_orders(request), "orders", "GET", f"/v1/imports/vehicles/template.{fmt}")


@router.get("/{vehicle_id}", summary="One vehicle", dependencies=READ)
async def get_vehicle(vehicle_id: VehicleId, request: Request) -> Response:
    return await forward(_orders(request), "orders", "GET", f"/v1/fleet/vehicles/{vehicle_id}")


@router.put(
    "/{vehicle_id}",
    summary="Create or replace a vehicle (201 created, 200 replaced)",
    dependencies=WRITE,
    responses=problem_responses(422),
)
async def put_vehicle(
    vehicle_id: VehicleId,
    vehicle: VehicleBody,
    request: Request,
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    path = f"/v1/fleet/vehicles/{vehicle_id}"
    return await forward(_orders(request), "orders", "PUT", path, json=vehicle, headers=_trace(traceparent))


@router.patch(
    "/{vehicle_id}",
    summary='Change some fields of a vehicle; {"active": false} deactivates it',
    dependencies=WRITE,
    responses=problem_responses(422),
)
async def patch_vehicle(
    vehicle_id: VehicleId,
    vehicle: VehicleBody,
    request: Request,
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    path = f"/v1/fleet/vehicles/{vehicle_id}"
    return await forward(_orders(request), "orders", "PATCH", path, json=vehicle, headers=_trace(traceparent))


@router.delete(
    "/{vehicle_id}",
    summary="Delete a vehicle (204; a tombstone on fleet.vehicles.v1)",
    status_code=204,
    dependencies=WRITE,
)
async def delete_vehicle(
    vehicle_id: VehicleId, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> Response:
    path = f"/v1/fleet/vehicles/{vehicle_id}"
    return await forward(_orders(request), "orders", "DELETE", path, headers=_trace(traceparent))
