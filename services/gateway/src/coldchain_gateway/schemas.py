"""Public request and response bodies of the gateway's API."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from coldchain_contracts import ChannelState, ReeferReading
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_gateway.json_bounds import MAX_DEPTH, checked_json

MAX_BATCH = 1000
NUL = "\x00"
# Query parameters travel on to a service and into SQL: no control characters (PostgreSQL
# refuses U+0000), offsets within what a page walk can reach, cursors in their alphabet.
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]*$"
MAX_OFFSET = 100_000


def _not_a_bool(value: Any) -> Any:
    """JSON `true` is not a number, though pydantic's lax mode would read it as 1.0."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


class TemperatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=8, examples=["A"])
    celsius: float | None = Field(default=None, ge=-100, le=100, examples=[-19.5])
    state: ChannelState = ChannelState.OK
    setpoint_celsius: float | None = Field(default=None, ge=-100, le=100)

    _numbers = field_validator("celsius", "setpoint_celsius", mode="before")(_not_a_bool)

    @field_validator("channel")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if NUL in value:
            raise ValueError("must not contain U+0000")
        return value

    def to_contract(self) -> ReeferReading:
        return ReeferReading(**self.model_dump())


class GpsFixIn(BaseModel):
    """One fix. Speed in km/h; time with a UTC offset (ISO-8601)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "device_id": "truck-0001",
                    "time": "2026-11-26T09:30:00Z",
                    "latitude": 37.4979,
                    "longitude": 127.0276,
                    "speed_kmh": 42.0,
                    "heading": 90,
                    "ignition": True,
                    "temperatures": [{"channel": "A", "celsius": -19.5}],
                }
            ]
        },
    )

    device_id: str = Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)
    time: AwareDatetime = Field(description="Device time of the fix, ISO-8601 with offset")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    speed_kmh: float | None = Field(default=None, ge=0, le=300)
    heading: float | None = Field(default=None, ge=0, le=360)
    altitude_m: float | None = Field(default=None, ge=-500, le=9000)
    accuracy_m: float | None = Field(default=None, ge=0)
    ignition: bool | None = None
    odometer_km: float | None = Field(default=None, ge=0)
    battery_v: float | None = Field(default=None, ge=0, le=100)
    door_open: bool | None = None
    defrost: bool | None = None
    temperatures: list[TemperatureIn] = Field(default_factory=list, max_length=8)
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        max_length=64,
        description=f"Free-form device values: no U+0000, no lone surrogate, at most {MAX_DEPTH} levels deep",
    )

    _numbers = field_validator(
        "latitude",
        "longitude",
        "speed_kmh",
        "heading",
        "altitude_m",
        "accuracy_m",
        "odometer_km",
        "battery_v",
        mode="before",
    )(_not_a_bool)

    @field_validator("attributes")
    @classmethod
    def _storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = checked_json(value)
        return checked


class GpsBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fixes: list[GpsFixIn] = Field(min_length=1, max_length=MAX_BATCH)


class GpsBatchAccepted(BaseModel):
    accepted: int = Field(description="Fixes acknowledged by Kafka")
    batch_id: str = Field(description="Correlation id carried by every fix of the batch")


# Vehicle reads: the gateway passes tracking's answers through; these describe them in
# the OpenAPI document (examples), they are not re-validated.


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
