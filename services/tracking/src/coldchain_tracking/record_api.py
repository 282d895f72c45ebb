"""Tracking's query API for reports: an order's temperature record, and the KPIs.

The record answers as JSON (default), CSV or PDF: `?format=csv|pdf`, or an `Accept`
header of `text/csv` or `application/pdf` (the query parameter wins).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from coldchain_tracking.api import window
from coldchain_tracking.kpi_reader import KpiReader
from coldchain_tracking.record_reader import RecordReader
from coldchain_tracking.reports.document import as_csv, as_json
from coldchain_tracking.reports.kpis import as_json as kpis_json

router = APIRouter(tags=["reports"])
Format = Literal["json", "csv", "pdf"]
_BY_MEDIA = {"text/csv": "csv", "application/pdf": "pdf", "application/json": "json"}


def _negotiated(fmt: Format | None, accept: str) -> Format:
    if fmt is not None:
        return fmt
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _BY_MEDIA:
            found: Format = _BY_MEDIA[media]  # type: ignore[assignment]
            return found
    return "json"


@router.get("/v1/orders/{order_id}/temperature-record", summary="Temperature record of one order")
async def temperature_record(
    order_id: uuid.UUID,
    request: Request,
    format_: Annotated[Format | None, Query(alias="format")] = None,
    readings: Annotated[bool, Query(description="Include every reading in the JSON")] = True,
) -> Any:
    reader: RecordReader = request.app.state.records
    found = await reader.read(order_id, request.app.state.reference.compartments)
    if found is None:
        raise HTTPException(404, f"Tracking has no record of order {order_id}")
    header, record = found
    fmt = _negotiated(format_, request.headers.get("accept", ""))
    name = f"temperature-record-{header.order_number or order_id}"
    if fmt == "csv":
        return Response(
            as_csv(header, record),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_safe(name)}.csv"'},
        )
    if fmt == "pdf":
        # Imported here: reportlab's charts cost seconds at start-up, and few requests ask for a PDF.
        from coldchain_tracking.reports.pdf import as_pdf

        pdf = await run_in_threadpool(as_pdf, header, record)  # CPU-bound: off the event loop
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{_safe(name)}.pdf"'},
        )
    return as_json(header, record, with_readings=readings)


@router.get("/v1/kpis", summary="Fleet KPIs over a period, computed from what happened")
async def kpis(
    request: Request,
    from_: Annotated[
        datetime | None, Query(alias="from", description="Inclusive, ISO-8601 with offset")
    ] = None,
    to: Annotated[datetime | None, Query(description="Exclusive, ISO-8601 with offset; default now")] = None,
) -> dict[str, Any]:
    start, end = window(from_, to, timedelta(days=1))
    reader: KpiReader = request.app.state.kpis
    return kpis_json(await reader.read(start, end, request.app.state.reference.compartments))


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
