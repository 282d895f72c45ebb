"""The temperature record as a document: JSON body and CSV rows (pure).

The CSV lists every reading with its compartment's band, one line each. Cells come from
ids and names that a client chose, so a text cell that a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`, tab, carriage return first) is neutralised with a leading
apostrophe (OWASP's CSV-injection advice); numbers are written as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coldchain_servicekit.spreadsheets import csv_text
from coldchain_tracking.reports.record import Band, CompartmentRecord, Excursion, OrderRecord


@dataclass(frozen=True, slots=True)
class RecordHeader:
    """What the record says about the order, beside its compartments."""

    order_id: str
    order_number: str | None
    vehicle_id: str | None
    status: str
    zone: str | None
    setpoint_celsius: float | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    pickup_on_time: bool | None
    delivery_on_time: bool | None
    recording_interval_s: float


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _band(band: Band | None) -> dict[str, float] | None:
    return {"low_celsius": band.low, "high_celsius": band.high} if band else None


def _excursion(e: Excursion) -> dict[str, Any]:
    return {
        "excursion_id": e.excursion_id,
        "started_at": _iso(e.started_at),
        "ended_at": _iso(e.ended_at),
        "open": e.ended_at is None,
        "peak_celsius": e.peak_celsius,
        "band": _band(e.band),
    }


def _compartment(c: CompartmentRecord, with_readings: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": c.channel,
        "band": _band(c.band),
        "reading_count": len(c.readings),
        "min_celsius": c.min_celsius,
        "max_celsius": c.max_celsius,
        "mean_celsius": c.mean_celsius,
        "minutes_out_of_band": c.minutes_out_of_band,
        "excursions": [_excursion(e) for e in c.excursions],
        "gaps": [
            {"start": _iso(g.start), "end": _iso(g.end), "minutes": round(g.minutes, 2)} for g in c.gaps
        ],
    }
    if with_readings:
        body["readings"] = [
            {"at": _iso(r.at), "celsius": r.celsius, "door_open": r.door_open, "defrost": r.defrost}
            for r in c.readings
        ]
    return body


def as_json(header: RecordHeader, record: OrderRecord, with_readings: bool = True) -> dict[str, Any]:
    return {
        "order_id": header.order_id,
        "order_number": header.order_number,
        "vehicle_id": header.vehicle_id,
        "status": header.status,
        "zone": header.zone,
        "setpoint_celsius": header.setpoint_celsius,
        "picked_up_at": _iso(header.picked_up_at),
        "delivered_at": _iso(header.delivered_at),
        "pickup_on_time": header.pickup_on_time,
        "delivery_on_time": header.delivery_on_time,
        "from": _iso(record.start),
        "to": _iso(record.end),
        "recording_interval_s": header.recording_interval_s,
        "verdict": record.verdict.value,
        "verdict_reasons": list(record.reasons),
        "compartments": [_compartment(c, with_readings) for c in record.compartments],
    }


CSV_COLUMNS = (
    "order_id",
    "order_number",
    "vehicle_id",
    "channel",
    "band_low_celsius",
    "band_high_celsius",
    "device_time",
    "celsius",
    "in_band",
    "door_open",
    "defrost",
    "verdict",
)


def as_csv(header: RecordHeader, record: OrderRecord) -> str:
    """Every cell through servicekit's writer, which neutralises formula-looking text."""
    rows = [
        (
            header.order_id,
            header.order_number or "",
            header.vehicle_id or "",
            c.channel,
            c.band.low if c.band else "",
            c.band.high if c.band else "",
            r.at.isoformat(),
            r.celsius,
            "" if c.band is None else str(c.band.contains(r.celsius)).lower(),
            "" if r.door_open is None else str(r.door_open).lower(),
            "" if r.defrost is None else str(r.defrost).lower(),
            record.verdict.value,
        )
        for c in record.compartments
        for r in c.readings
    ]
    return csv_text(CSV_COLUMNS, rows)
