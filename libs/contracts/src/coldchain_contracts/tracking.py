"""Live vehicle state as tracking publishes it."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.fleet import TemperatureZone
from coldchain_contracts.identifiers import Identifier
from coldchain_contracts.telemetry import ReeferReading
from coldchain_contracts.tracking_events import AlertKind


class Motion(StrEnum):
    MOVING = "moving"
    STOPPED = "stopped"
    IDLE = "idle"
    OFFLINE = "offline"


class CompartmentCondition(StrEnum):
    IN_BAND = "in_band"
    OUT_OF_BAND = "out_of_band"
    """Outside the band, still within the grace period."""
    EXCURSION = "excursion"
    DEFROST = "defrost"
    NO_READING = "no_reading"
    """No usable reading yet, or the probe is disconnected."""
    UNMONITORED = "unmonitored"


class CompartmentStatus(BaseModel):
    """One compartment's temperature as tracking judges it against its band."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    channel: str
    zone: TemperatureZone | None = None
    band_low_celsius: float | None = None
    band_high_celsius: float | None = None
    celsius: float | None = None
    condition: CompartmentCondition = CompartmentCondition.NO_READING
    excursion_id: uuid.UUID | None = None


class ActiveAlert(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    alert_id: uuid.UUID
    kind: AlertKind
    opened_at: UtcDatetime
    detail: str = ""


class VehicleStateChanged(Envelope):
    """Topic `tracking.vehicle-state.v1` (compacted), key `vehicle_id`: latest live state."""

    event_type: Literal["VehicleStateChanged"] = "VehicleStateChanged"
    vehicle_id: Identifier
    device_id: Identifier
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
    gps_valid: bool = True
    trip_id: uuid.UUID | None = Field(default=None, description="Current trip, if moving on one")
    trip_started_at: UtcDatetime | None = None
    trip_distance_km: float | None = None
    stop_id: uuid.UUID | None = Field(default=None, description="Current stop, if stopped")
    stop_started_at: UtcDatetime | None = None
    compartments: tuple[CompartmentStatus, ...] = ()
    alerts: tuple[ActiveAlert, ...] = Field(default=(), description="Open alerts, excursions aside")
    geofence_ids: tuple[str, ...] = Field(default=(), description="Geofences the vehicle is inside")
    analysed_until: UtcDatetime | None = Field(
        default=None, description="Device time up to which trips, stops and alerts are final"
    )
