"""Pure ingest rules: unit normalisation, data-quality filters, vehicle binding.

A fix is either accepted (normalised to km/h and UTC, bound to a vehicle) or
rejected with exactly one reason; nothing is silently dropped. The stateless
checks (ranges, time window, accuracy) need only the fix; the duplicate and
implied-speed checks compare it with the device's recent accepted fixes.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coldchain_contracts import FixAccepted, FixRejected, RawFix, RawFixReceived, RejectReason, SpeedUnit
from coldchain_ingest.fix_memory import Overlay, Seen
from coldchain_servicekit.geo import haversine_m

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
    # Terminals buffer fixes while out of coverage and upload them later; a week
    # covers a long weekend in a dead zone without letting clock garbage through.
    max_past: timedelta = timedelta(days=7)
    max_accuracy_m: float | None = 200.0
    max_hdop: float | None = 20.0
    # Korean trucks are limited to 90-110 km/h; 200 km/h leaves room for GPS error.
    max_implied_speed_kmh: float = 200.0
    # Jumps shorter than this never count: a parked unit's 1 Hz jitter is not travel.
    implied_speed_min_distance_m: float = 200.0
    bind_unknown_to_self: bool = True


Problem = tuple[RejectReason, str]


def speed_kmh(value: float | None, unit: SpeedUnit) -> float | None:
    return None if value is None else round(value * _TO_KMH[unit], 3)


def without_nul(value: Any) -> Any:
    """The value with U+0000 removed from every string: PostgreSQL text and jsonb cannot hold
    it, and a device that sends one means nothing by it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value


def fix_instant(fix: RawFix) -> datetime:
    """The time that identifies a fix: the GPS fix time when reported, else device time."""
    return fix.fix_time or fix.device_time


def is_null_island(fix: RawFix) -> bool:
    return abs(fix.latitude) < _NULL_ISLAND_DEG and abs(fix.longitude) < _NULL_ISLAND_DEG


def rejection(raw: RawFixReceived, now: datetime, rules: QualityRules) -> Problem | None:
    """The checks that need only the fix itself (null island is decided by the caller)."""
    fix = raw.fix
    if not -90.0 <= fix.latitude <= 90.0:
        return RejectReason.LATITUDE_OUT_OF_RANGE, f"latitude {fix.latitude}"
    if not -180.0 <= fix.longitude <= 180.0:
        return RejectReason.LONGITUDE_OUT_OF_RANGE, f"longitude {fix.longitude}"
    if fix.device_time > now + rules.max_future:
        return (
            RejectReason.TIME_IN_FUTURE,
            f"device time {fix.device_time.isoformat()} is after {now.isoformat()}",
        )
    if fix.device_time < now - rules.max_past:
        return (
            RejectReason.TIME_TOO_OLD,
            f"device time {fix.device_time.isoformat()} is more than {rules.max_past} before {now.isoformat()}",
        )
    if fix.gps_valid is not False:
        if (
            rules.max_accuracy_m is not None
            and fix.accuracy_m is not None
            and fix.accuracy_m > rules.max_accuracy_m
        ):
            return RejectReason.LOW_ACCURACY, f"accuracy {fix.accuracy_m} m > {rules.max_accuracy_m} m"
        if rules.max_hdop is not None and fix.hdop is not None and fix.hdop > rules.max_hdop:
            return RejectReason.LOW_ACCURACY, f"HDOP {fix.hdop} > {rules.max_hdop}"
    return None


def neighbours(recent: Sequence[Seen], at: datetime) -> tuple[Seen | None, Seen | None, bool]:
    """The remembered fixes just before and just after `at`, and whether one is at `at`."""
    i = bisect.bisect_left(recent, at, key=lambda s: s.at)
    exact = i < len(recent) and recent[i].at == at
    before = recent[i - 1] if i > 0 else None
    after = recent[i + 1 if exact else i] if (i + 1 if exact else i) < len(recent) else None
    return before, after, exact


def implied_speed_problem(
    at: datetime, position: tuple[float, float], other: Seen, rules: QualityRules
) -> Problem | None:
    metres = haversine_m(position, (other.latitude, other.longitude))
    if metres < rules.implied_speed_min_distance_m:
        return None
    seconds = abs((at - other.at).total_seconds())
    kmh = metres / seconds * 3.6 if seconds > 0 else float("inf")
    if kmh <= rules.max_implied_speed_kmh:
        return None
    return (
        RejectReason.IMPLIED_SPEED,
        f"{metres:.0f} m in {seconds:.0f} s from the fix at {other.at.isoformat()} "
        f"implies {kmh:.0f} km/h > {rules.max_implied_speed_kmh:.0f} km/h",
    )


def history_problem(
    at: datetime, position: tuple[float, float], gps_valid: bool, recent: Sequence[Seen], rules: QualityRules
) -> Problem | None:
    before, after, exact = neighbours(recent, at)
    if exact:
        return RejectReason.DUPLICATE, f"a fix at {at.isoformat()} was already accepted for this device"
    if not gps_valid:
        return None  # a no-fix record repeats the last known position; speed means nothing
    for other in (before, after):
        if other is not None and other.gps_valid:
            problem = implied_speed_problem(at, position, other, rules)
            if problem is not None:
                return problem
    return None


def locate(fix: RawFix, at: datetime, recent: Sequence[Seen]) -> tuple[float, float] | None:
    """Where the fix is: its own position, or for a no-fix record at (0, 0) the last known one."""
    if not is_null_island(fix):
        return fix.latitude, fix.longitude
    if fix.gps_valid is False:
        before, _, _ = neighbours(recent, at)
        if before is not None:
            return before.latitude, before.longitude
    return None


def normalise(
    raw: RawFixReceived,
    bindings: Mapping[str, str],
    now: datetime,
    rules: QualityRules,
    memory: Overlay | None = None,
) -> FixAccepted | FixRejected:
    fix = raw.fix
    at = fix_instant(fix)
    recent = memory.recent(raw.device_id) if memory is not None else ()
    gps_valid = fix.gps_valid is not False
    problem = rejection(raw, now, rules)
    position = locate(fix, at, recent)
    if problem is None and position is None:
        problem = RejectReason.NULL_ISLAND, "position (0, 0) means no GPS fix"
    if problem is None and position is not None:
        problem = history_problem(at, position, gps_valid, recent, rules)
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
    assert position is not None
    if memory is not None:
        memory.remember(raw.device_id, Seen(at, position[0], position[1], gps_valid))
    return FixAccepted(
        vehicle_id=vehicle_id,
        device_id=raw.device_id,
        source=raw.source,
        device_time=fix.device_time,
        received_at=raw.received_at,
        latitude=position[0],
        longitude=position[1],
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
        attributes=without_nul(fix.attributes),
        gps_valid=gps_valid,
        fix_time=fix.fix_time,
        hdop=fix.hdop,
        satellites=fix.satellites,
        driver_id=without_nul(fix.driver_id),
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
