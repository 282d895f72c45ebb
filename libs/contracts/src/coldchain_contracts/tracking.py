"""Live vehicle state as tracking publishes it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.telemetry import ReeferReading


class Motion(StrEnum):
    MOVING = "moving"
    STOPPED = "stopped"
    IDLE = "idle"
    OFFLINE = "offline"


class VehicleStateChanged(Envelope):
    """Topic `tracking.vehicle-state.v1` (compacted), key `vehicle_id`: latest live state."""

    event_type: Literal["VehicleStateChanged"] = "VehicleStateChanged"
    vehicle_id: str
    device_id: str
    device_time: UtcDatetime = Field(description="Device time of the fix this state reflects")
    received_at: UtcDatetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    heading: float | None = None
    ignition: bool | None = None
    motion: Motion = Motion.STOPPED
    temperatures: tuple[ReeferReading, ...] = ()
    door_open: bool | None = None
