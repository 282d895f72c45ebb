"""UVIS answers into records and raw fixes; no I/O.

Formats (shared/DOMAIN.md): every value is a string, possibly space-padded; times are
Korea time (UTC+9, no daylight saving) as `YYYYMMDD` + `HHMMSS`; `X_POSITION` is the
latitude and `Y_POSITION` the longitude; GPS speed is km/h with 255 meaning "no valid
speed"; a temperature is a sign flag ("0" plus, "1" minus) and a magnitude, or `OPEN`
(probe disconnected) or `NOUSE` (channel unused). About one answer in four is not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from pydantic import ValidationError

from coldchain_contracts import ChannelState, ReeferReading
from coldchain_contracts.identifiers import ID_RULE, is_identifier

R = TypeVar("R")
KST = timezone(timedelta(hours=9), "KST")
INVALID_SPEED = 255.0
_SIGNS = {"0": 1.0, "1": -1.0}
_ENGINE = {"1": True, "ON": True, "Y": True, "0": False, "OFF": False, "N": False}


class NotJson(ValueError):
    """The answer is not a JSON document (an HTML error page, a truncated body...)."""


class RecordError(ValueError):
    """One record that cannot be read; the others of the answer still are."""


@dataclass(frozen=True, slots=True)
class GpsRecord:
    terminal_id: str
    device_time: datetime  # UTC
    latitude: float
    longitude: float
    speed_kmh: float | None
    ignition: bool | None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TemperatureRecord:
    terminal_id: str
    device_time: datetime  # UTC
    latitude: float
    longitude: float
    readings: tuple[ReeferReading, ...]
    attributes: Mapping[str, Any] = field(default_factory=dict)


def parse_json(body: bytes, charset: str | None = None) -> Any:
    """JSON in the declared charset, else UTF-8, else CP949 (Korean servers' usual legacy)."""
    for encoding in dict.fromkeys(e for e in (charset, "utf-8", "cp949") if e):
        try:
            return json.loads(body.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
        except ValueError as exc:
            raise NotJson(f"not JSON: {exc}; body starts {body[:80]!r}") from None
    raise NotJson(f"undecodable body starting {body[:80]!r}")


def access_key(payload: Any) -> str | None:
    """`AccessKey` of an object or a one-element list; None when the answer carries none."""
    if isinstance(payload, list) and len(payload) == 1:
        payload = payload[0]
    if isinstance(payload, dict):
        key = payload.get("AccessKey")
        if isinstance(key, str) and key.strip():
            return key.strip()
    return None


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        raise RecordError(f"{name} missing")
    return str(value).strip()


def _float(record: Mapping[str, Any], name: str) -> float:
    text = _text(record, name)
    try:
        return float(text)
    except ValueError:
        raise RecordError(f"{name}={text!r} is not a number") from None


def kst_to_utc(date: str, time: str) -> datetime:
    """`YYYYMMDD` and `HHMMSS` in Korea time as an aware UTC datetime."""
    try:
        local = datetime.strptime(date.strip() + time.strip().zfill(6), "%Y%m%d%H%M%S")
    except ValueError:
        raise RecordError(f"date/time {date!r} {time!r} is not YYYYMMDD HHMMSS") from None
    return local.replace(tzinfo=KST).astimezone(UTC)


def _terminal(record: Mapping[str, Any]) -> str:
    terminal = _text(record, "TID_ID")
    if not is_identifier(terminal):
        raise RecordError(f"TID_ID {terminal!r} is not an identifier ({ID_RULE})")
    return terminal


def _plate(record: Mapping[str, Any]) -> dict[str, Any]:
    plate = str(record.get("CM_NUMBER") or "").strip()
    return {"plate": plate} if plate else {}


def gps_record(record: Mapping[str, Any]) -> GpsRecord:
    speed = _float(record, "BI_GPS_SPEED")
    engine = str(record.get("BI_TURN_ONOFF") or "").strip()
    attributes = _plate(record)
    if engine:
        attributes["uvis_engine"] = engine
    return GpsRecord(
        terminal_id=_terminal(record),
        device_time=kst_to_utc(_text(record, "BI_DATE"), _text(record, "BI_TIME")),
        latitude=_float(record, "BI_X_POSITION"),
        longitude=_float(record, "BI_Y_POSITION"),
        speed_kmh=None if speed == INVALID_SPEED or speed < 0 else speed,
        ignition=_ENGINE.get(engine.upper()),
        attributes=attributes,
    )


def channel(name: str, signal: str, degree: str) -> ReeferReading:
    text = degree.strip().upper()
    if text == "OPEN":
        return ReeferReading(channel=name, state=ChannelState.PROBE_DISCONNECTED)
    if text == "NOUSE":
        return ReeferReading(channel=name, state=ChannelState.UNUSED)
    sign = _SIGNS.get(signal.strip())
    if sign is None:
        raise RecordError(f"channel {name}: sign {signal!r} is neither '0' nor '1'")
    try:
        magnitude = float(text)
    except ValueError:
        raise RecordError(f"channel {name}: degree {degree!r} is not a number, OPEN or NOUSE") from None
    try:
        return ReeferReading(channel=name, celsius=sign * abs(magnitude))
    except ValidationError:
        raise RecordError(f"channel {name}: {sign * magnitude} °C is outside -100..100") from None


def temperature_record(record: Mapping[str, Any]) -> TemperatureRecord:
    attributes = _plate(record)
    customer = str(record.get("OFF_KEY") or "").strip()
    if customer:
        attributes["uvis_customer"] = customer
    return TemperatureRecord(
        terminal_id=_terminal(record),
        device_time=kst_to_utc(_text(record, "TPL_DATE"), _text(record, "TPL_TIME")),
        latitude=_float(record, "TPL_X_POSITION"),
        longitude=_float(record, "TPL_Y_POSITION"),
        readings=tuple(
            channel(c, _text(record, f"TPL_SIGNAL_{c}"), _text(record, f"TPL_DEGREE_{c}")) for c in "AB"
        ),
        attributes=attributes,
    )


def read_list(payload: Sequence[Any], read: Callable[[Mapping[str, Any]], R]) -> tuple[list[R], list[str]]:
    """Each readable record, and one message per record that could not be read."""
    good: list[R] = []
    errors: list[str] = []
    for index, item in enumerate(payload):
        try:
            if not isinstance(item, dict):
                raise RecordError("not an object")
            good.append(read(item))
        except RecordError as exc:
            errors.append(f"record {index} ({str(item)[:120]}): {exc}")
    return good, errors
