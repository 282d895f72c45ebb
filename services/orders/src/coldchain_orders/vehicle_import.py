"""One row of a vehicles import file as the vehicle API's document.

Compartments are one cell, `channel:zone:setpoint:pallets` separated by `;`
(`A:frozen:-20:8; B:chilled:3:6`; the setpoint may be empty: `A:ambient::10`);
weekdays like opening hours (`Mon-Fri`, `Mon,Wed,Fri`, `daily`); devices by `;` or `,`.
"""

from __future__ import annotations

import re
from typing import Any

from coldchain_orders.imports import _FALSE, _TRUE, _WEEKDAYS, RowError, _blank_to_none


def _flag(row: dict[str, str], column: str, default: bool) -> bool:
    text = row.get(column, "").strip().lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"{column}: {text!r} is not yes or no")


def _compartments(text: str) -> list[dict[str, Any]]:
    parts = []
    for i, part in enumerate(filter(None, (p.strip() for p in text.split(";"))), start=1):
        fields = [f.strip() for f in part.split(":")]
        if len(fields) != 4:
            raise RowError(f"compartments: part {i} {part!r} is not channel:zone:setpoint:pallets")
        channel, zone, setpoint, pallets = fields
        try:
            parts.append(
                {
                    "channel": channel,
                    "zone": zone.lower(),
                    "setpoint_celsius": float(setpoint) if setpoint else None,
                    "pallets": int(pallets),
                }
            )
        except ValueError as exc:
            raise RowError(
                f"compartments: part {i} {part!r} has a setpoint or pallets that is not a number"
            ) from exc
    return parts


def _weekdays(text: str) -> list[int]:
    text = text.strip().lower()
    if text in ("", "daily"):
        return list(range(7))
    days: list[int] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        first, _, last = part.partition("-")
        if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
            raise RowError(f"shift_weekdays: unknown weekday in {part!r} (Mon, Tue, ... or Mon-Fri)")
        start, end = _WEEKDAYS[first], _WEEKDAYS[last or first]
        days += [d % 7 for d in range(start, end + 1 if end >= start else end + 8)]
    return sorted(set(days))


def vehicle_from_row(row: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(vehicle id, the fields of a PUT); pydantic and the vehicle rules check the rest."""
    vehicle_id = row.get("vehicle_id", "").strip()
    start, end = row.get("shift_start", "").strip(), row.get("shift_end", "").strip()
    if bool(start) != bool(end):
        raise RowError("shift_start and shift_end: give both or neither")
    fields = _blank_to_none(
        {
            "name": row.get("name", "").strip(),
            "plate": row.get("plate", "").strip(),
            "body_type": row.get("body_type", "").strip().lower(),
            "weight_capacity_kg": row.get("weight_capacity_kg", "").strip(),
            "volume_capacity_m3": row.get("volume_capacity_m3", "").strip(),
            "depot_site_id": row.get("depot_site_id", "").strip(),
            "max_route_minutes": row.get("max_route_minutes", "").strip(),
            "cost_per_km": row.get("cost_per_km", "").strip(),
        }
    )
    fields["compartments"] = _compartments(row.get("compartments", ""))
    fields["forklift"] = _flag(row, "forklift", False)
    fields["active"] = _flag(row, "active", True)
    fields["device_ids"] = [d.strip() for d in re.split(r"[,;]", row.get("device_ids", "")) if d.strip()]
    if start:
        fields["shift"] = {"weekdays": _weekdays(row.get("shift_weekdays", "")), "start": start, "end": end}
    return vehicle_id, fields
