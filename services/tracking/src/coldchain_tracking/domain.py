"""Pure tracking rules: which fix is a vehicle's latest, and what state it implies.

Invariant: live state only ever moves forward in device time. A fix older than or
equal to the current state's device time is history, never state. The Redis store
enforces the same rule atomically; these functions decide what to offer it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from coldchain_contracts import FixAccepted, Motion, VehicleStateChanged


def latest_per_vehicle(fixes: Iterable[FixAccepted]) -> dict[str, FixAccepted]:
    """The newest fix (by device time) per vehicle in a batch."""
    latest: dict[str, FixAccepted] = {}
    for fix in fixes:
        current = latest.get(fix.vehicle_id)
        if current is None or fix.device_time > current.device_time:
            latest[fix.vehicle_id] = fix
    return latest


def motion_of(speed_kmh: float | None, ignition: bool | None, moving_speed_kmh: float) -> Motion:
    if speed_kmh is not None and speed_kmh >= moving_speed_kmh:
        return Motion.MOVING
    if ignition:
        return Motion.IDLE
    return Motion.STOPPED


def state_from_fix(fix: FixAccepted, moving_speed_kmh: float) -> VehicleStateChanged:
    return VehicleStateChanged(
        vehicle_id=fix.vehicle_id,
        device_id=fix.device_id,
        device_time=fix.device_time,
        received_at=fix.received_at,
        latitude=fix.latitude,
        longitude=fix.longitude,
        speed_kmh=fix.speed_kmh,
        heading=fix.heading,
        ignition=fix.ignition,
        motion=motion_of(fix.speed_kmh, fix.ignition, moving_speed_kmh),
        temperatures=fix.temperatures,
        door_open=fix.door_open,
        gps_valid=fix.gps_valid,
        producer="tracking",
        causation_id=fix.event_id,
        correlation_id=fix.correlation_id,
    )


def is_newer(candidate: datetime, current: datetime | None) -> bool:
    return current is None or candidate > current


def as_seen_at(state: VehicleStateChanged, now: datetime, offline_after_s: float) -> VehicleStateChanged:
    """The state as a reader should see it now: offline once the last fix is too old."""
    if (now - state.device_time).total_seconds() > offline_after_s:
        return state.model_copy(update={"motion": Motion.OFFLINE})
    return state
