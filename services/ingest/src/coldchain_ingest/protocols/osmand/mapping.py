"""An OsmAnd report as the contract's raw fix, in the units the device sent.

Besides the fields OsmAnd names, a few attributes that reefer trackers send through
it are lifted into fields too (and stay in `attributes`): `temp1` / `temp2` are
compartment channels A / B in °C, `door` is the door switch, `ignition` the ignition.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from coldchain_contracts import RawFix, ReeferReading, SpeedUnit
from coldchain_ingest.protocols.osmand.decoder import OsmAndReport
from coldchain_ingest.protocols.osmand.values import OsmAndError, truthy

TEMPERATURE_CHANNELS = (("temp1", "A"), ("temp2", "B"))
_CELSIUS_RANGE = (-100.0, 100.0)  # the contract's bounds: anything outside is a sensor fault


def temperatures(attributes: dict[str, Any]) -> tuple[ReeferReading, ...]:
    readings = []
    for name, channel in TEMPERATURE_CHANNELS:
        value = attributes.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        if _CELSIUS_RANGE[0] <= value <= _CELSIUS_RANGE[1]:
            readings.append(ReeferReading(channel=channel, celsius=float(value)))
    return tuple(readings)


def to_raw_fix(report: OsmAndReport, device_unit: SpeedUnit, received_at: datetime) -> RawFix:
    """The fix, or `OsmAndError` when it has no position or a value is out of range."""
    if report.latitude is None or report.longitude is None:
        raise OsmAndError("Missing position", "lat and lon (or location=lat,lon, or coords) are required")
    attributes = dict(report.attributes)
    try:
        return RawFix(
            device_time=report.device_time or received_at,
            latitude=report.latitude,
            longitude=report.longitude,
            speed=report.speed,
            speed_unit=report.speed_unit or device_unit,
            heading=report.heading,
            altitude_m=report.altitude_m,
            accuracy_m=report.accuracy_m,
            ignition=truthy(attributes.get("ignition")),
            odometer_km=report.odometer_km,
            door_open=truthy(attributes.get("door")),
            temperatures=temperatures(attributes),
            attributes=attributes,
            gps_valid=report.valid,
            hdop=report.hdop,
            driver_id=report.driver_id,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise OsmAndError("Invalid value", f"{where}: {first['msg']}") from None
