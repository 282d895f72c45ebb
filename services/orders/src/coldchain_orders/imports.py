"""Import files read into rows (`sheet_reader`, within its limits), and rows into sites and
orders (vehicles: `vehicle_import`; templates: `templates`).

Pure apart from the bytes it is given. Row numbers are the file's own: the header is
row 1, so the first data row is 2, as a spreadsheet shows it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from coldchain_contracts import Contact, OpeningHours, OrderSpec, SiteUpserted
from coldchain_orders.sheet_reader import FileError, FileTooLarge, Format, ReadLimits, read_table

__all__ = ["FileError", "FileTooLarge", "Format", "ReadLimits", "RowError", "read_rows"]

Kind = Literal["sites", "orders", "vehicles"]

SITE_COLUMNS = (
    "code", "name", "address", "latitude", "longitude", "role", "zones", "opening_hours",
    "loading_minutes", "unloading_minutes", "forklift", "contact_name", "contact_phone",
    "contact_email", "geofence_radius_m",
)  # fmt: skip
ORDER_COLUMNS = (
    "order_number", "requested_date", "zone", "setpoint_celsius", "pallets", "weight_kg", "volume_m3",
    "goods", "pickup_site", "pickup_address", "pickup_latitude", "pickup_longitude", "pickup_from",
    "pickup_to", "pickup_service_minutes", "dropoff_site", "dropoff_address", "dropoff_latitude",
    "dropoff_longitude", "dropoff_from", "dropoff_to", "dropoff_service_minutes", "priority",
    "forklift_required", "notes",
)  # fmt: skip
VEHICLE_COLUMNS = (
    "vehicle_id", "name", "plate", "body_type", "compartments", "weight_capacity_kg", "volume_capacity_m3",
    "forklift", "depot_site_id", "shift_weekdays", "shift_start", "shift_end", "max_route_minutes",
    "cost_per_km", "device_ids", "active",
)  # fmt: skip
COLUMNS: dict[Kind, tuple[str, ...]] = {
    "sites": SITE_COLUMNS,
    "orders": ORDER_COLUMNS,
    "vehicles": VEHICLE_COLUMNS,
}
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "sites": ("code", "latitude", "longitude"),
    "vehicles": ("vehicle_id", "body_type", "compartments"),
    "orders": ("order_number", "requested_date", "zone", "pallets", "weight_kg",
               "pickup_from", "pickup_to", "dropoff_from", "dropoff_to"),
}  # fmt: skip


class RowError(ValueError):
    """One row cannot become a site, an order or a vehicle; the message says why."""


def read_rows(
    data: bytes, fmt: Format, kind: Kind, limits: ReadLimits | int
) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-blank data row (`limits`: or just max rows)."""
    if isinstance(limits, int):
        limits = ReadLimits(max_rows=limits)
    return read_table(data, fmt, REQUIRED[kind], limits)


# Rows to values ------------------------------------------------------------------------

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOURS = re.compile(
    r"^\s*(?P<days>[A-Za-z]{3}(?:-[A-Za-z]{3})?|daily)\s+(?P<opens>\d{1,2}:\d{2})-(?P<closes>\d{1,2}:\d{2})\s*$"
)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    if hours == "24" and minutes == "00":
        return time(0, 0)
    return time(int(hours), int(minutes))


def parse_opening_hours(text: str) -> tuple[OpeningHours, ...]:
    """`Mon-Fri 06:00-18:00; Sat 08:00-12:00` (or `daily 00:00-24:00`); empty: always open."""
    intervals: list[OpeningHours] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _HOURS.match(part)
        if match is None:
            raise RowError(f"opening_hours: {part!r} is not like 'Mon-Fri 06:00-18:00'")
        days = match["days"].lower()
        if days == "daily":
            weekdays = list(range(7))
        else:
            first, _, last = days.partition("-")
            if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
                raise RowError(f"opening_hours: unknown weekday in {part!r}")
            start, end = _WEEKDAYS[first], _WEEKDAYS[last or first]
            weekdays = [d % 7 for d in range(start, end + 1 if end >= start else end + 8)]
        try:
            opens, closes = _clock(match["opens"]), _clock(match["closes"])
        except ValueError as exc:
            raise RowError(f"opening_hours: bad time in {part!r}") from exc
        intervals += [OpeningHours(weekday=d, opens=opens, closes=closes) for d in weekdays]
    return tuple(intervals)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _blank_to_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None)}


def site_from_row(row: dict[str, str]) -> SiteUpserted:
    zones = [z.strip().lower() for z in re.split(r"[|,]", row.get("zones", "")) if z.strip()]
    fields = _blank_to_none(
        {
            "site_id": row.get("code", ""),
            "code": row.get("code", ""),
            "name": row.get("name", ""),
            "address": row.get("address", ""),
            "latitude": row.get("latitude"),
            "longitude": row.get("longitude"),
            "role": row.get("role", "").lower(),
            "loading_minutes": row.get("loading_minutes"),
            "unloading_minutes": row.get("unloading_minutes"),
            "forklift": row.get("forklift", "").lower(),
            "geofence_radius_m": row.get("geofence_radius_m"),
        }
    )
    try:
        return SiteUpserted(
            **fields,
            zones=zones,
            opening_hours=parse_opening_hours(row.get("opening_hours", "")),
            contact=Contact(
                name=row.get("contact_name", ""),
                phone=row.get("contact_phone", ""),
                email=row.get("contact_email", ""),
            ),
            producer="orders",
        )
    except ValidationError as exc:
        raise RowError(_first_error(exc)) from exc


def _instant(text: str, day: date, tz: ZoneInfo, column: str) -> datetime:
    """`HH:MM` on `day` in the operator's zone, or an ISO-8601 date-time (local if no offset)."""
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}", text):
            return datetime.combine(day, _clock(text), tz)
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RowError(f"{column}: {text!r} is neither HH:MM nor an ISO-8601 date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _window(row: dict[str, str], prefix: str, day: date, tz: ZoneInfo) -> dict[str, datetime]:
    start = _instant(row.get(f"{prefix}_from", ""), day, tz, f"{prefix}_from")
    end = _instant(row.get(f"{prefix}_to", ""), day, tz, f"{prefix}_to")
    if end <= start and re.fullmatch(r"\d{1,2}:\d{2}", row.get(f"{prefix}_to", "")):
        end += timedelta(days=1)  # 22:00-02:00 crosses midnight
    return {"start": start, "end": end}


def _stop(row: dict[str, str], prefix: str, window: dict[str, datetime]) -> dict[str, Any]:
    return _blank_to_none(
        {
            "site_id": row.get(f"{prefix}_site"),
            "address": row.get(f"{prefix}_address"),
            "latitude": row.get(f"{prefix}_latitude"),
            "longitude": row.get(f"{prefix}_longitude"),
            "service_minutes": row.get(f"{prefix}_service_minutes"),
        }
    ) | {"window": window}


_TRUE = {"yes", "y", "true", "1", "o"}
_FALSE = {"", "no", "n", "false", "0", "x"}


def order_from_row(row: dict[str, str], tz: ZoneInfo) -> OrderSpec:
    """An order from its row. Times HH:MM are on requested_date; a drop-off window starting
    before the pick-up window's start is on the next day (overnight linehaul)."""
    try:
        day = date.fromisoformat(row.get("requested_date", ""))
    except ValueError as exc:
        raise RowError(f"requested_date: {row.get('requested_date')!r} is not YYYY-MM-DD") from exc
    pickup = _window(row, "pickup", day, tz)
    dropoff = _window(row, "dropoff", day, tz)
    if dropoff["start"] < pickup["start"] and re.fullmatch(r"\d{1,2}:\d{2}", row.get("dropoff_from", "")):
        dropoff = {k: v + timedelta(days=1) for k, v in dropoff.items()}
    forklift = row.get("forklift_required", "").strip().lower()
    if forklift not in _TRUE | _FALSE:
        raise RowError(f"forklift_required: {forklift!r} is not yes or no")
    fields = _blank_to_none(
        {
            "order_number": row.get("order_number"),
            "zone": row.get("zone", "").lower(),
            "setpoint_celsius": row.get("setpoint_celsius"),
            "pallets": row.get("pallets"),
            "weight_kg": row.get("weight_kg"),
            "volume_m3": row.get("volume_m3"),
            "goods": row.get("goods"),
            "priority": row.get("priority"),
            "notes": row.get("notes"),
        }
    )
    try:
        return OrderSpec(
            **fields,
            requested_date=day,
            forklift_required=forklift in _TRUE,
            pickup=_stop(row, "pickup", pickup),
            dropoff=_stop(row, "dropoff", dropoff),
        )
    except ValidationError as exc:
        raise RowError(_first_error(exc)) from exc
