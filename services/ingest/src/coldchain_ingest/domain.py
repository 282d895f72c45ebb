"""Pure ingest rules: unit normalisation, plausibility checks, vehicle binding.

A fix is either accepted (normalised to km/h and UTC, bound to a vehicle) or
rejected with exactly one reason; nothing is silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from coldchain_contracts import FixAccepted, FixRejected, RawFixReceived, RejectReason, SpeedUnit

_TO_KMH = {
    SpeedUnit.KMH: 1.0,
    SpeedUnit.KNOTS: 1.852,
    SpeedUnit.MPS: 3.6,
    SpeedUnit.MPH: 1.609344,
}
_NULL_ISLAND_DEG = 1e-6


@dataclass(frozen=True, slots=True)
class QualityRules:
    max_future: timedelta = timedelta(minutes=5)
    bind_unknown_to_self: bool = True


def speed_kmh(value: float | None, unit: SpeedUnit) -> float | None:
    return None if value is None else round(value * _TO_KMH[unit], 3)


def rejection(raw: RawFixReceived, now: datetime, rules: QualityRules) -> tuple[RejectReason, str] | None:
    fix = raw.fix
    if not -90.0 <= fix.latitude <= 90.0:
        return RejectReason.LATITUDE_OUT_OF_RANGE, f"latitude {fix.latitude}"
    if not -180.0 <= fix.longitude <= 180.0:
        return RejectReason.LONGITUDE_OUT_OF_RANGE, f"longitude {fix.longitude}"
    if abs(fix.latitude) < _NULL_ISLAND_DEG and abs(fix.longitude) < _NULL_ISLAND_DEG:
        return RejectReason.NULL_ISLAND, "position (0, 0) means no GPS fix"
    if fix.device_time > now + rules.max_future:
        return (
            RejectReason.TIME_IN_FUTURE,
            f"device time {fix.device_time.isoformat()} is after {now.isoformat()}",
        )
    return None


def normalise(
    raw: RawFixReceived,
    bindings: Mapping[str, str],
    now: datetime,
    rules: QualityRules,
) -> FixAccepted | FixRejected:
    problem = rejection(raw, now, rules)
    vehicle_id = bindings.get(raw.device_id)
    if problem is None and vehicle_id is None:
        if rules.bind_unknown_to_self:
            vehicle_id = raw.device_id
        else:
            problem = (RejectReason.UNKNOWN_DEVICE, "device is not bound to a vehicle")
    if problem is not None:
        reason, detail = problem
        return FixRejected(
            device_id=raw.device_id,
            reason=reason,
            detail=detail,
            raw=raw,
            producer="ingest",
            causation_id=raw.event_id,
            correlation_id=raw.correlation_id,
        )
    assert vehicle_id is not None
    fix = raw.fix
    return FixAccepted(
        vehicle_id=vehicle_id,
        device_id=raw.device_id,
        source=raw.source,
        device_time=fix.device_time,
        received_at=raw.received_at,
        latitude=fix.latitude,
        longitude=fix.longitude,
        speed_kmh=speed_kmh(fix.speed, fix.speed_unit),
        heading=fix.heading,
        altitude_m=fix.altitude_m,
        accuracy_m=fix.accuracy_m,
        ignition=fix.ignition,
        odometer_km=fix.odometer_km,
        battery_v=fix.battery_v,
        door_open=fix.door_open,
        defrost=fix.defrost,
        temperatures=fix.temperatures,
        attributes=fix.attributes,
        gps_valid=fix.gps_valid is not False,
        fix_time=fix.fix_time,
        hdop=fix.hdop,
        satellites=fix.satellites,
        driver_id=fix.driver_id,
        producer="ingest",
        causation_id=raw.event_id,
        correlation_id=raw.correlation_id,
    )


def rebind(bindings: Mapping[str, str], vehicle_id: str, device_ids: Iterable[str]) -> dict[str, str]:
    """Device bindings after the latest record of one vehicle.

    The vehicle's listed devices point at it; devices it used to have and no longer
    lists are unbound, but a device that has meanwhile moved to another vehicle keeps
    that binding. An inactive or deleted vehicle lists no devices.
    """
    result = {device: vehicle for device, vehicle in bindings.items() if vehicle != vehicle_id}
    result.update(dict.fromkeys(device_ids, vehicle_id))
    return result


def bind_device(bindings: Mapping[str, str], device_id: str, vehicle_id: str | None) -> dict[str, str]:
    """Device bindings after a device registry record: bound to `vehicle_id`, or unbound."""
    result = {device: vehicle for device, vehicle in bindings.items() if device != device_id}
    if vehicle_id is not None:
        result[device_id] = vehicle_id
    return result
