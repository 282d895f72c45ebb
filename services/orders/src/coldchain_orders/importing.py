"""Bulk import of sites, vehicles and orders from CSV or XLSX, validated row by row.

The file is parsed in a worker thread within `ReadLimits` (`sheet_reader`), so a hostile
workbook never holds the event loop. Every row is then checked here against the sites the
service knows (including sites imported earlier in the same file), so the answer can
list each rejected row with its line number and reason. Accepted order rows are
placed with the same use case as a `PlaceOrder` command, with an order id derived
from the operator and order number (a re-uploaded file finds the numbers taken and
creates nothing twice); rejected rows create nothing. Everything accepted is
committed in one transaction with its events.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import PlaceOrder
from coldchain_contracts.identifiers import ID_RULE, is_identifier
from coldchain_orders import commands
from coldchain_orders import repository as repo
from coldchain_orders.imports import (
    Format,
    Kind,
    ReadLimits,
    RowError,
    order_from_row,
    read_rows,
    site_from_row,
)
from coldchain_orders.sites import SiteCodeTaken, write_site
from coldchain_orders.validation import rejection_reasons
from coldchain_orders.vehicle_import import vehicle_from_row
from coldchain_orders.vehicles import InvalidVehicle, write_vehicle

IMPORT_NAMESPACE = uuid.UUID("5b0c7c1e-3f0e-4a53-9d6f-2c8b2f1f6a10")


def imported_order_id(operator_id: str, order_number: str) -> uuid.UUID:
    return uuid.uuid5(IMPORT_NAMESPACE, f"{operator_id}\x1f{order_number}")


def _report(
    kind: str, fmt: str, rows: int, accepted: list[dict[str, Any]], rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "format": fmt,
        "rows": rows,
        "accepted_count": len(accepted),
        "rejected_count": len(rejected),
        "accepted": accepted,
        "rejected": rejected,
    }


async def rows_of(
    data: bytes, fmt: Format, kind: Kind, limits: ReadLimits
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows, parsed in a worker thread (openpyxl is synchronous and CPU-bound)."""
    return await asyncio.to_thread(read_rows, data, fmt, kind, limits)


async def import_sites(
    engine: AsyncEngine, data: bytes, fmt: Format, now: datetime, limits: ReadLimits
) -> dict[str, Any]:
    rows = await rows_of(data, fmt, "sites", limits)
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    async with engine.begin() as conn:
        for line, row in rows:
            try:
                site = site_from_row(row)
                if site.site_id in seen:
                    raise RowError(f"code {site.code!r} already on line {seen[site.site_id]}")
                written = await write_site(conn, site.site_id, _site_fields(site), partial=False, now=now)
            except (RowError, SiteCodeTaken) as exc:
                rejected.append({"line": line, "reason": str(exc)})
                continue
            except ValidationError as exc:
                rejected.append({"line": line, "reason": exc.errors()[0]["msg"]})
                continue
            seen[site.site_id] = line
            accepted.append({"line": line, "site_id": site.site_id, "created": written.created})
    return _report("sites", fmt, len(rows), accepted, rejected)


async def import_vehicles(
    engine: AsyncEngine, data: bytes, fmt: Format, now: datetime, limits: ReadLimits
) -> dict[str, Any]:
    """Each row through the same rules as a PUT; a refused row creates nothing, the rest commit."""
    rows = await rows_of(data, fmt, "vehicles", limits)
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    async with engine.begin() as conn:
        for line, row in rows:
            try:
                vehicle_id, fields = vehicle_from_row(row)
                if not is_identifier(vehicle_id):
                    raise RowError(f"vehicle_id: {vehicle_id!r} breaks the rule: {ID_RULE}")
                if vehicle_id in seen:
                    raise RowError(f"vehicle_id {vehicle_id!r} already on line {seen[vehicle_id]}")
                async with conn.begin_nested():
                    written = await write_vehicle(conn, vehicle_id, fields, partial=False, now=now)
            except (RowError, InvalidVehicle) as exc:
                rejected.append({"line": line, "reason": str(exc)})
                continue
            seen[vehicle_id] = line
            accepted.append({"line": line, "vehicle_id": vehicle_id, "created": written.created})
    return _report("vehicles", fmt, len(rows), accepted, rejected)


def _site_fields(site: Any) -> dict[str, Any]:
    return dict(
        site.model_dump(exclude={"event_id", "occurred_at", "producer", "correlation_id", "causation_id"})
    )


async def import_orders(
    engine: AsyncEngine,
    data: bytes,
    fmt: Format,
    *,
    operator_id: str,
    requested_by: str,
    tz: ZoneInfo,
    now: datetime,
    limits: ReadLimits,
) -> dict[str, Any]:
    rows = await rows_of(data, fmt, "orders", limits)
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    import_id = uuid.uuid4()
    async with engine.begin() as conn:
        for line, row in rows:
            try:
                spec = order_from_row(row, tz)
            except RowError as exc:
                rejected.append({"line": line, "reason": str(exc), "codes": ["invalid_row"]})
                continue
            sites = await repo.sites_by_id(conn, (spec.pickup.site_id, spec.dropoff.site_id))
            taken = await repo.number_taken(conn, operator_id, spec.order_number)
            problems = rejection_reasons(spec, sites, taken, now, tz)
            if problems:
                rejected.append(
                    {
                        "line": line,
                        "reason": "; ".join(text for _, text in problems),
                        "codes": list(dict.fromkeys(code.value for code, _ in problems)),
                    }
                )
                continue
            order_id = imported_order_id(operator_id, spec.order_number)
            command = PlaceOrder(
                order_id=order_id,
                event_id=uuid.uuid5(order_id, "import"),
                operator_id=operator_id,
                order=spec,
                requested_by=requested_by,
                correlation_id=import_id,
                producer="orders",
            )
            if await commands.place(conn, command, tz, now, None) is None:
                rejected.append(
                    {"line": line, "reason": "this order was imported before", "codes": ["duplicate_number"]}
                )
                continue
            accepted.append({"line": line, "order_id": str(order_id), "order_number": spec.order_number})
    return _report("orders", fmt, len(rows), accepted, rejected)
