"""Value parsing shared by the OsmAnd query and JSON forms, as Traccar's decoder reads them."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

_INT_MAX = 2**31 - 1  # Traccar: integers below Java's Integer.MAX_VALUE are seconds, above milliseconds
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d+\.\d*")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class OsmAndError(ValueError):
    """A request the protocol cannot accept; `status` is the HTTP answer."""

    def __init__(self, title: str, detail: str, status: int = 400) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail
        self.status = status


def number(name: str, value: str) -> float:
    try:
        result = float(value)
    except ValueError:
        raise OsmAndError("Invalid parameter", f"{name}={value!r} is not a number") from None
    if not math.isfinite(result):
        raise OsmAndError("Invalid parameter", f"{name}={value!r} is not a finite number")
    return result


def flag(value: str) -> bool:
    """`valid`: "true", "false", "1", "0" (Traccar reads anything else as false)."""
    return value.strip().lower() in _TRUE


def timestamp(value: str) -> datetime:
    """Epoch seconds, epoch milliseconds, ISO-8601, or `yyyy-MM-dd HH:mm:ss`; naive times are UTC."""
    text = value.strip()
    try:
        if _INTEGER.fullmatch(text) or _DECIMAL.fullmatch(text):
            epoch = float(text)
            return datetime.fromtimestamp(epoch if epoch < _INT_MAX else epoch / 1000.0, tz=UTC)
        parsed = datetime.fromisoformat(text) if "T" in text else datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        raise OsmAndError(
            "Invalid timestamp",
            f"timestamp={value!r}: expected epoch seconds or milliseconds, ISO-8601, or yyyy-MM-dd HH:mm:ss",
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def attribute(value: str) -> float | bool | str:
    """An unmapped parameter as Traccar keeps it: a number, else true/false, else the text."""
    try:
        result = float(value)
    except ValueError:
        result = math.nan
    if math.isfinite(result):
        return result
    if value == "true":
        return True
    if value == "false":
        return False
    return value


def truthy(value: object) -> bool | None:
    """A door or ignition attribute as a boolean: true/false, 1/0; anything else is unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None
