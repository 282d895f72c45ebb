"""Public request and response bodies of the gateway's API."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from coldchain_contracts import ChannelState, ReeferReading

MAX_BATCH = 1000
NUL = "\x00"


def _has_nul(value: Any) -> bool:
    """PostgreSQL text and JSONB cannot hold U+0000; a fix carrying one would be stored by no one."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class TemperatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=8, examples=["A"])
    celsius: float | None = Field(default=None, ge=-100, le=100, examples=[-19.5])
    state: ChannelState = ChannelState.OK
    setpoint_celsius: float | None = Field(default=None, ge=-100, le=100)

    @field_validator("channel")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if _has_nul(value):
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

    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
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
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=64)

    @field_validator("attributes")
    @classmethod
    def _no_nul(cls, value: dict[str, Any]) -> dict[str, Any]:
        if _has_nul(value):
            raise ValueError("must not contain U+0000 in any key or string")
        return value


class GpsBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fixes: list[GpsFixIn] = Field(min_length=1, max_length=MAX_BATCH)


class GpsBatchAccepted(BaseModel):
    accepted: int = Field(description="Fixes acknowledged by Kafka")
    batch_id: str = Field(description="Correlation id carried by every fix of the batch")


class ProblemField(BaseModel):
    pointer: str = Field(examples=["/body/fixes/0/latitude"])
    field: str = Field(examples=["fixes.0.latitude"])
    reason: str = Field(examples=["Input should be less than or equal to 90"])


class Problem(BaseModel):
    """RFC 9457 problem details; members beyond these may appear (`errors`, `error`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Forbidden"])
    status: int = Field(examples=[403])
    detail: str | None = Field(default=None, examples=["This requires the permission 'vehicles:read'"])
    instance: str | None = Field(default=None, examples=["/v1/vehicles/truck-1/state"])
    errors: list[ProblemField] | None = None


_PROBLEM_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing, invalid, expired or revoked credentials (`WWW-Authenticate` says which scheme)",
    403: "Authenticated, but without the permission this route needs",
    404: "Not found",
    409: "Conflicts with an existing resource",
    413: "Request body larger than the limit",
    422: "Invalid request; `errors` names each field",
    429: "Rate limited; retry after `Retry-After` seconds",
    502: "Upstream service error",
    503: "A dependency is unavailable; retry after `Retry-After` seconds",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "Challenge (RFC 6750)", "schema": {"type": "string"}}
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for problem details with the given status codes."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "description": _PROBLEM_DESCRIPTIONS[code],
            "model": Problem,
            "content": {"application/problem+json": {}},
        }
        if code in (429, 503):
            entry["headers"] = _RETRY_AFTER
        if code == 401:
            entry["headers"] = _WWW_AUTHENTICATE
        responses[code] = entry
    return responses


PROTECTED = (400, 401, 403, 413, 422, 429, 503)
"""What any protected route may answer besides its success (400: a body that is not JSON;
503: Redis unavailable)."""
