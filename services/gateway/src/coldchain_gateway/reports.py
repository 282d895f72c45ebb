"""Reports, answered by tracking's query API: an order's temperature record and the fleet KPIs.

The record is JSON by default, CSV or a one-page PDF on request (`?format=`, an `Accept`
header, or the `.csv` / `.pdf` path); tracking renders all three, the gateway passes the
body, content type and `Content-Disposition` through. Both read order outcomes, so both
need `orders:read`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.upstream import forward

router = APIRouter(
    tags=["reports"],
    dependencies=[require(Permission.ORDERS_READ, RateClass.READ)],
    responses=problem_responses(*PROTECTED, 404, 502),
)
Format = Literal["json", "csv", "pdf"]

RECORD_EXAMPLE: dict[str, Any] = {
    "order_id": "3f7c0b7e-5d1a-4c9e-9a53-0d6c1f1e2a11",
    "order_number": "PO-2026-0042",
    "vehicle_id": "truck-07",
    "status": "delivered",
    "zone": "chilled",
    "setpoint_celsius": None,
    "picked_up_at": "2026-11-26T00:40:12+00:00",
    "delivered_at": "2026-11-26T02:05:40+00:00",
    "pickup_on_time": True,
    "delivery_on_time": True,
    "from": "2026-11-26T00:40:12+00:00",
    "to": "2026-11-26T02:05:40+00:00",
    "recording_interval_s": 300.0,
    "verdict": "in_band",
    "verdict_reasons": [],
    "compartments": [
        {
            "channel": "B",
            "band": {"low_celsius": 0.0, "high_celsius": 5.0},
            "reading_count": 86,
            "min_celsius": 2.1,
            "max_celsius": 4.6,
            "mean_celsius": 3.02,
            "minutes_out_of_band": 0.0,
            "excursions": [],
            "gaps": [],
            "readings": [
                {"at": "2026-11-26T00:41:00+00:00", "celsius": 3.1, "door_open": False, "defrost": False}
            ],
        }
    ],
}
KPI_EXAMPLE: dict[str, Any] = {
    "from": "2026-11-25T15:00:00+00:00",
    "to": "2026-11-26T15:00:00+00:00",
    "orders": {
        "delivered": 9,
        "delivered_on_time": 8,
        "delivered_late": 1,
        "on_time_rate": 0.8889,
        "picked_up": 10,
        "pickup_on_time_rate": 1.0,
    },
    "km": 412.7,
    "empty_km": 96.1,
    "empty_running_rate": 0.2329,
    "on_duty_hours": 21.5,
    "loaded_hours": 14.2,
    "time_utilisation": 0.6605,
    "pallet_utilisation": 0.4121,
    "excursion_minutes": 12.0,
    "vehicles_active": 3,
    "orders_per_vehicle": 3.0,
    "vehicles": [
        {
            "vehicle_id": "truck-07",
            "km": 140.2,
            "empty_km": 31.0,
            "delivered": 3,
            "delivered_on_time": 3,
            "on_duty_hours": 7.5,
            "loaded_hours": 5.1,
            "capacity_pallets": 14.0,
            "excursion_minutes": {"A": 12.0},
        }
    ],
}
_RECORD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The record: JSON, CSV (one row per reading) or a one-page PDF with a chart",
        "content": {
            "application/json": {"example": RECORD_EXAMPLE},
            "text/csv": {
                "example": "order_id,order_number,vehicle_id,channel,band_low_celsius,band_high_celsius,"
                "device_time,celsius,in_band,door_open,defrost,verdict\r\n"
                "3f7c0b7e-5d1a-4c9e-9a53-0d6c1f1e2a11,PO-2026-0042,truck-07,B,0.0,5.0,"
                "2026-11-26T00:41:00+00:00,3.1,true,false,false,in_band\r\n"
            },
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _record(request: Request, order_id: uuid.UUID, fmt: Format | None) -> Response:
    accept = request.headers.get("accept")
    return await forward(
        request.app.state.tracking,
        "tracking",
        "GET",
        f"/v1/orders/{order_id}/temperature-record",
        params={"format": fmt},
        headers={"Accept": accept} if accept else None,
    )


# permission: orders:read
@router.get(
    "/v1/orders/{order_id}/temperature-record",
    summary="Temperature record of one order (HACCP / FSMA in-transit log)",
    description=(
        "For each compartment the order occupied, its readings from pick-up to delivery, min / max / "
        "mean, minutes out of band, excursions and coverage gaps longer than the recording interval, "
        "and a verdict: `in_band`, `excursion` or `incomplete`. `?format=csv|pdf` or an `Accept` of "
        "`text/csv` / `application/pdf` for the other renderings."
    ),
    responses=_RECORD_RESPONSES,
)
async def temperature_record(
    order_id: uuid.UUID,
    request: Request,
    format_: Annotated[
        Format | None, Query(alias="format", description="Default: from Accept, else json")
    ] = None,
) -> Response:
    return await _record(request, order_id, format_)


# permission: orders:read
@router.get(
    "/v1/orders/{order_id}/temperature-record.{fmt}",
    summary="Temperature record of one order as a CSV or PDF file",
    responses=_RECORD_RESPONSES,
)
async def temperature_record_file(
    order_id: uuid.UUID, fmt: Literal["csv", "pdf"], request: Request
) -> Response:
    return await _record(request, order_id, fmt)


# permission: orders:read
@router.get(
    "/v1/kpis",
    summary="Fleet KPIs over a period, computed from tracking and order events",
    description=(
        "On-time rate, km, empty km, utilisation (loaded time and pallets over on-duty time), "
        "excursion minutes and orders per vehicle over [from, to); default the last 24 hours. "
        "Definitions: docs/temperature-record.md."
    ),
    responses={200: {"content": {"application/json": {"example": KPI_EXAMPLE}}}},
)
async def kpis(
    request: Request,
    from_: Annotated[
        datetime | None, Query(alias="from", description="Inclusive, ISO-8601 with offset")
    ] = None,
    to: Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")] = None,
) -> Response:
    params = {"from": from_.isoformat() if from_ else None, "to": to.isoformat() if to else None}
    return await forward(request.app.state.tracking, "tracking", "GET", "/v1/kpis", params=params)
