"""Motion of a vehicle at one fix: moving, idle (ignition on, not moving) or stopped.

A fix without a valid GPS position says nothing about motion (None). Without a reported
speed, the speed implied by the distance from the previous valid fix is used.
"""

from __future__ import annotations

from coldchain_contracts import Motion
from coldchain_servicekit.geo import haversine_m
from coldchain_tracking.analysis.sample import Point, Sample


def speed_of(sample: Sample, previous: Point | None) -> float | None:
    if sample.speed_kmh is not None:
        return sample.speed_kmh
    if previous is None:
        return None
    dt = (sample.at - previous.at).total_seconds()
    if dt <= 0:
        return None
    metres = haversine_m((previous.latitude, previous.longitude), (sample.latitude, sample.longitude))
    return metres / dt * 3.6


def is_moving(sample: Sample, previous: Point | None, moving_speed_kmh: float) -> bool | None:
    """True/False for a valid fix; None when the fix cannot tell (invalid GPS, no speed at all)."""
    if not sample.gps_valid:
        return None
    speed = speed_of(sample, previous)
    if speed is None:
        return None
    return speed >= moving_speed_kmh


def classify(moving: bool | None, ignition: bool | None) -> Motion | None:
    if moving is None:
        return None
    if moving:
        return Motion.MOVING
    return Motion.IDLE if ignition else Motion.STOPPED
