"""Telemetry messages: a fix as received, a normalised fix, and a rejected fix.

A raw fix keeps what the device said (units included) so ingest can normalise it
and so nothing is lost if normalisation rules change. A normalised fix is always in
SI-ish fleet units: degrees WGS84, km/h, metres, degrees Celsius, UTC.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.identifiers import Identifier


class SpeedUnit(StrEnum):
    KMH = "kmh"
    KNOTS = "knots"
    MPS = "mps"
    MPH = "mph"


class ChannelState(StrEnum):
    """Explicit state of a reefer temperature channel."""

    OK = "ok"
    PROBE_DISCONNECTED = "probe_disconnected"
    UNUSED = "unused"


class ReeferReading(BaseModel):
    """One compartment temperature channel (A, B, ...)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    channel: str = Field(min_length=1, max_length=8, examples=["A"])
    celsius: float | None = Field(default=None, ge=-100, le=100)
    state: ChannelState = ChannelState.OK
    setpoint_celsius: float | None = Field(default=None, ge=-100, le=100)


class RawFix(BaseModel):
    """A position fix as a device or integration reported it (units as sent)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    device_time: AwareDatetime = Field(description="As the device reported it, offset included")
    latitude: float
    longitude: float
    speed: float | None = Field(default=None, ge=0)
    speed_unit: SpeedUnit = SpeedUnit.KMH
    heading: float | None = Field(default=None, ge=0, le=360)
    altitude_m: float | None = None
    accuracy_m: float | None = Field(default=None, ge=0)
    ignition: bool | None = None
    odometer_km: float | None = Field(default=None, ge=0)
    battery_v: float | None = Field(default=None, ge=0)
    door_open: bool | None = None
    defrost: bool | None = None
    temperatures: tuple[ReeferReading, ...] = ()
    attributes: dict[str, Any] = Field(default_factory=dict)
    gps_valid: bool | None = Field(
        default=None, description="Whether the receiver had a fix; None when the device does not say"
    )
    fix_time: AwareDatetime | None = Field(
        default=None, description="Time of the GPS fix when the device reports it apart from device_time"
    )
    hdop: float | None = Field(default=None, ge=0)
    satellites: int | None = Field(default=None, ge=0)
    driver_id: str | None = Field(default=None, max_length=64)


class RawFixReceived(Envelope):
    """Topic `telemetry.gps.raw.v1`, key `device_id`."""

    event_type: Literal["RawFixReceived"] = "RawFixReceived"
    device_id: Identifier
    source: str = Field(default="http-batch", description="Protocol or integration")
    received_at: UtcDatetime
    fix: RawFix


class FixAccepted(Envelope):
    """Topic `telemetry.gps.v1`, key `vehicle_id`: a clean, normalised fix."""

    event_type: Literal["FixAccepted"] = "FixAccepted"
    vehicle_id: Identifier
    device_id: Identifier
    source: str
    device_time: UtcDatetime
    received_at: UtcDatetime
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    speed_kmh: float | None = Field(default=None, ge=0)
    heading: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    ignition: bool | None = None
    odometer_km: float | None = None
    battery_v: float | None = None
    door_open: bool | None = None
    defrost: bool | None = None
    temperatures: tuple[ReeferReading, ...] = ()
    attributes: dict[str, Any] = Field(default_factory=dict)
    gps_valid: bool = Field(
        default=True, description="False: the position is the last known one, not a fresh fix"
    )
    fix_time: UtcDatetime | None = None
    hdop: float | None = None
    satellites: int | None = None
    driver_id: str | None = None


class RejectReason(StrEnum):
    LATITUDE_OUT_OF_RANGE = "latitude_out_of_range"
    LONGITUDE_OUT_OF_RANGE = "longitude_out_of_range"
    NULL_ISLAND = "null_island"
    TIME_IN_FUTURE = "time_in_future"
    TIME_TOO_OLD = "time_too_old"
    LOW_ACCURACY = "low_accuracy"
    IMPLIED_SPEED = "implied_speed"
    DUPLICATE = "duplicate"
    UNKNOWN_DEVICE = "unknown_device"


class FixRejected(Envelope):
    """Topic `telemetry.rejected.v1`, key `device_id`: a fix dropped by ingest."""

    event_type: Literal["FixRejected"] = "FixRejected"
    device_id: str
    reason: RejectReason
    detail: str = ""
    raw: RawFixReceived
