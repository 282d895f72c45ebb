"""OsmAnd requests into reports, following Traccar's `OsmAndProtocolDecoder`.

Two forms share one port:

* parameters in the query string, or, when the query string has none, in the body as
  `application/x-www-form-urlencoded` (any HTTP method). Empty values are ignored; a
  repeated parameter's last value wins. Speed is in the device's configured unit
  (knots unless configured otherwise);
* `Content-Type: application/json`: the background-geolocation SDK's location object
  that Traccar Client 9 and later posts (`device_id`, `location.timestamp`,
  `location.coords` with speed in m/s, `battery.level` from 0 to 1, `extras`).
  Negative speed, heading, accuracy or battery level mean "unknown".

Parameters without a field of their own stay in `attributes` under their own names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from coldchain_contracts import SpeedUnit
from coldchain_contracts.identifiers import ID_RULE, is_identifier
from coldchain_ingest.protocols.osmand.values import OsmAndError, attribute, flag, number, timestamp


@dataclass(frozen=True, slots=True)
class OsmAndReport:
    device_id: str
    device_time: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    speed: float | None = None
    speed_unit: SpeedUnit | None = None  # None: the device's configured unit
    heading: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    hdop: float | None = None
    satellites: int | None = None
    valid: bool | None = None
    driver_id: str | None = None
    odometer_km: float | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def decode(query: str, content_type: str | None, body: bytes) -> OsmAndReport:
    if content_type is not None and content_type.lower().startswith("application/json"):
        return decode_json(body)
    params = _pairs(query)
    if not params:
        params = _pairs(body.decode("utf-8", "replace"))
    return decode_params(params)


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(text, keep_blank_values=True) if v != ""]


def _device_id(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise OsmAndError("Missing device id", "the device id must be a string")
    device_id = str(value).strip()
    if not device_id:
        raise OsmAndError("Missing device id", "id (or deviceid) is mandatory")
    if not is_identifier(device_id):
        raise OsmAndError("Invalid device id", f"the device id must be {ID_RULE}")
    return device_id


def _known_or_unknown(value: float) -> float | None:
    return value if value >= 0 else None


def decode_params(params: list[tuple[str, str]]) -> OsmAndReport:
    """Query-string or form parameters, applied in order (a later value overrides)."""
    fields: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for name, value in params:
        match name:
            case "id" | "deviceid":
                fields["device_id"] = _device_id(value)
            case "valid":
                fields["valid"] = flag(value)
            case "timestamp":
                fields["device_time"] = timestamp(value)
            case "lat":
                fields["latitude"] = number(name, value)
            case "lon":
                fields["longitude"] = number(name, value)
            case "location":
                parts = value.split(",")
                if len(parts) < 2:
                    raise OsmAndError("Invalid parameter", f"location={value!r}: expected lat,lon")
                fields["latitude"] = number("location latitude", parts[0])
                fields["longitude"] = number("location longitude", parts[1])
            case "speed":
                fields["speed"] = _known_or_unknown(number(name, value))
            case "bearing" | "heading":
                fields["heading"] = _known_or_unknown(number(name, value))
            case "altitude":
                fields["altitude_m"] = number(name, value)
            case "accuracy":
                fields["accuracy_m"] = _known_or_unknown(number(name, value))
            case "hdop":
                fields["hdop"] = _known_or_unknown(number(name, value))
            case "driverUniqueId":
                fields["driver_id"] = value
            case "batt":
                attributes[name] = number(name, value)
            case "charge":
                attributes[name] = value.strip().lower() == "true"
            case _:
                attributes[name] = attribute(value)
    if "device_id" not in fields:
        raise OsmAndError("Missing device id", "id (or deviceid) is mandatory")
    return OsmAndReport(**fields, attributes=attributes)


def _json_number(container: Mapping[str, Any], key: str, where: str) -> float | None:
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OsmAndError("Invalid JSON field", f"{where}.{key} must be a number")
    return float(value)


def _object(container: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OsmAndError("Invalid JSON field", f"{where}.{key} must be an object")
    return value


def decode_json(body: bytes) -> OsmAndReport:
    try:
        root = json.loads(body)
    except ValueError as exc:
        raise OsmAndError("Invalid JSON", str(exc)) from None
    except RecursionError:  # nesting thousands deep: the C decoder's recursion guard
        raise OsmAndError("Invalid JSON", "nested too deeply") from None
    if not isinstance(root, dict):
        raise OsmAndError("Invalid JSON", "the body must be an object with device_id and location")
    if "device_id" not in root:
        raise OsmAndError("Missing device id", "device_id is mandatory")
    device_id = _device_id(root["device_id"])
    location = _object(root, "location", "$")
    if location is None:
        raise OsmAndError("Missing location", "location is mandatory")
    stamp = location.get("timestamp")
    if not isinstance(stamp, str):
        raise OsmAndError("Invalid timestamp", "location.timestamp must be an ISO-8601 string")
    report = OsmAndReport(device_id=device_id, device_time=timestamp(stamp))
    coords = _object(location, "coords", "location")
    if coords is not None:
        report = _with_coords(report, coords)
    attributes = _json_attributes(location)
    odometer_m = attributes.get("odometer")
    odometer_km = odometer_m / 1000.0 if isinstance(odometer_m, float) and odometer_m >= 0 else None
    return replace(report, attributes=attributes, odometer_km=odometer_km)


def _with_coords(report: OsmAndReport, coords: Mapping[str, Any]) -> OsmAndReport:
    where = "location.coords"
    speed, heading, accuracy = (_json_number(coords, k, where) for k in ("speed", "heading", "accuracy"))
    return replace(
        report,
        latitude=_json_number(coords, "latitude", where),
        longitude=_json_number(coords, "longitude", where),
        speed=None if speed is None else _known_or_unknown(speed),
        speed_unit=SpeedUnit.MPS,
        heading=None if heading is None else _known_or_unknown(heading),
        accuracy_m=None if accuracy is None else _known_or_unknown(accuracy),
        altitude_m=_json_number(coords, "altitude", where),
        valid=True,
    )


def _json_attributes(location: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, name in (("event", "event"), ("is_moving", "motion"), ("mock", "mock"), ("alarm", "alarm")):
        if isinstance(location.get(key), (str, bool)):
            attributes[name] = location[key]
    odometer = _json_number(location, "odometer", "location")
    if odometer is not None:
        attributes["odometer"] = odometer  # metres, as the SDK counts them
    activity = _object(location, "activity", "location")
    if activity is not None and isinstance(activity.get("type"), str):
        attributes["activity"] = activity["type"]
    battery = _object(location, "battery", "location")
    if battery is not None:
        level = _json_number(battery, "level", "location.battery")
        if level is not None and level >= 0:
            attributes["batt"] = round(level * 100, 1)  # percent, as the query form's `batt`
        if isinstance(battery.get("is_charging"), bool):
            attributes["charge"] = battery["is_charging"]
    extras = _object(location, "extras", "location") or {}
    for key, value in extras.items():
        if isinstance(value, (str, bool, int, float)) and not (key == "alarm" and "alarm" in attributes):
            attributes[key] = value
    return attributes
