"""The orders service's HTTP API, called by the gateway: order queries, site reads and
writes, bulk import and its templates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import OrderStatus, SiteRole, TemperatureZone, utcnow
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN, TEXT_PATTERN
from coldchain_orders import importing
from coldchain_orders.imports import SITE_COLUMNS, FileError, FileTooLarge, Format, Kind
from coldchain_orders.queries import OrderFilter, OrderQueries
from coldchain_orders.schemas import SiteIn, SitePatch
from coldchain_orders.settings import OrdersSettings
from coldchain_orders.sites import SiteCodeTaken, SiteNotFound, write_site
from coldchain_orders.sites_export import site_row
from coldchain_orders.templates import template
from coldchain_servicekit.problems import problem
from coldchain_servicekit.spreadsheets import csv_bytes, xlsx_bytes

router = APIRouter(prefix="/v1")
SiteId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
MAX_OFFSET = 100_000  # offsets past it are no page walk; 10**30 overflowed PostgreSQL's bigint
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _queries(request: Request) -> OrderQueries:
    queries: OrderQueries = request.app.state.queries
    return queries


@router.get("/orders", tags=["orders"], summary="Orders, filtered and paginated")
async def list_orders(
    request: Request,
    date_: Annotated[
        date | None, Query(alias="date", description="Requested date (or first day with date_to)")
    ] = None,
    date_to: Annotated[date | None, Query(description="Last requested date, inclusive")] = None,
    status: Annotated[list[OrderStatus] | None, Query(description="One or more statuses")] = None,
    zone: TemperatureZone | None = None,
    site: Annotated[str | None, Query(pattern=ID_PATTERN, description="Pick-up or drop-off site id")] = None,
    vehicle: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    q: Annotated[
        str | None, Query(max_length=100, pattern=TEXT_PATTERN, description="Text in number, goods or notes")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    f = OrderFilter(
        requested_date=date_,
        date_to=date_to,
        status=tuple(s.value for s in status or ()),
        zone=zone.value if zone else None,
        site_id=site,
        vehicle_id=vehicle,
        text=q,
    )
    return await _queries(request).list_orders(f, limit, offset)


@router.get("/orders/{order_id}", tags=["orders"], summary="One order with its full event history")
async def get_order(order_id: uuid.UUID, request: Request) -> dict[str, Any]:
    order = await _queries(request).order(order_id)
    if order is None:
        raise HTTPException(404, f"No order {order_id}")
    return order


@router.get("/sites", tags=["sites"], summary="Sites, filtered and paginated")
async def list_sites(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=100, pattern=TEXT_PATTERN, description="Text in code or name")
    ] = None,
    role: SiteRole | None = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    return await _queries(request).list_sites(q, role.value if role else None, active, limit, offset)


@router.get("/sites/export.{fmt}", tags=["sites"], summary="Sites as a sites import file (CSV or XLSX)")
async def export_sites(
    request: Request,
    fmt: Literal["csv", "xlsx"],
    active: Annotated[bool | None, Query(description="Only active (true) or inactive (false) sites")] = True,
) -> Response:
    settings: OrdersSettings = request.app.state.settings
    records = await _queries(request).site_records(active, settings.import_max_rows)
    rows = [site_row(r) for r in records]
    data = csv_bytes(SITE_COLUMNS, rows) if fmt == "csv" else xlsx_bytes("sites", SITE_COLUMNS, rows)
    return Response(
        data,
        media_type=CONTENT_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="sites.{fmt}"'},
    )


@router.get("/sites/{site_id}", tags=["sites"], summary="One site")
async def get_site(site_id: SiteId, request: Request) -> dict[str, Any]:
    site = await _queries(request).site(site_id)
    if site is None:
        raise HTTPException(404, f"No site {site_id!r}")
    return site


async def _write(
    request: Request, site_id: str, fields: dict[str, Any], partial: bool, trace: str | None
) -> JSONResponse:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.begin() as conn:
            written = await write_site(conn, site_id, fields, partial=partial, now=utcnow(), trace=trace)
    except SiteNotFound as exc:
        raise HTTPException(404, f"No site {site_id!r}") from exc
    except SiteCodeTaken as exc:
        return problem(409, "Site code taken", str(exc), instance=request.url.path)
    except ValidationError as exc:
        error = exc.errors()[0]
        detail = f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
        return problem(422, "Invalid site", detail, instance=request.url.path)
    body = written.site.model_dump(mode="json")
    return JSONResponse(body, status_code=201 if written.created else 200)


@router.put("/sites/{site_id}", tags=["sites"], summary="Create or replace a site")
async def put_site(
    site_id: SiteId, site: SiteIn, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> JSONResponse:
    fields = site.model_dump(exclude_none=True)
    return await _write(request, site_id, fields, partial=False, trace=traceparent)


@router.patch("/sites/{site_id}", tags=["sites"], summary="Change some fields of a site")
async def patch_site(
    site_id: SiteId, site: SitePatch, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> JSONResponse:
    return await _write(request, site_id, site.model_dump(exclude_none=True), partial=True, trace=traceparent)


@router.delete("/sites/{site_id}", tags=["sites"], summary="Deactivate a site (published with active=false)")
async def delete_site(
    site_id: SiteId, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> JSONResponse:
    return await _write(request, site_id, {"active": False}, partial=True, trace=traceparent)


@router.post(
    "/imports/{kind}",
    tags=["imports"],
    summary="Import sites, vehicles or orders from a CSV or XLSX file (raw body)",
)
async def import_file(
    kind: Kind,
    request: Request,
    format_: Annotated[Format, Query(alias="format")] = "csv",
    operator_id: Annotated[str, Query(min_length=1, max_length=64)] = "default",
    requested_by: Annotated[str, Query(max_length=200)] = "",
) -> JSONResponse:
    settings: OrdersSettings = request.app.state.settings
    engine: AsyncEngine = request.app.state.engine
    data = await request.body()
    limits = settings.import_limits()
    try:
        if kind == "sites":
            report = await importing.import_sites(engine, data, format_, utcnow(), limits)
        elif kind == "vehicles":
            report = await importing.import_vehicles(engine, data, format_, utcnow(), limits)
        else:
            report = await importing.import_orders(
                engine,
                data,
                format_,
                operator_id=operator_id,
                requested_by=requested_by,
                tz=ZoneInfo(settings.timezone),
                now=utcnow(),
                limits=limits,
            )
    except FileTooLarge as exc:
        return problem(413, "Import file too large", str(exc), instance=request.url.path)
    except FileError as exc:
        return problem(422, "Unreadable import file", str(exc), instance=request.url.path)
    return JSONResponse(report)


@router.get("/imports/{kind}/template.{fmt}", tags=["imports"], summary="Template file for an import")
async def import_template(kind: Kind, fmt: Literal["csv", "xlsx"]) -> Response:
    return Response(
        template(kind, fmt),
        media_type=CONTENT_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{kind}-template.{fmt}"'},
    )
