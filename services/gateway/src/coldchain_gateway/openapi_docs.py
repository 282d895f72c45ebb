"""What the gateway's OpenAPI document says it answers: examples of reads, problem details.

Routes pass `problem_responses(*PROTECTED, ...)` and, for proxied reads,
`read_responses(name)`; the models here only describe, nothing validates with them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_PROBLEM_EXAMPLE = {
    "type": "https://coldchain.dev/problems/validation",
    "title": "Request validation failed",
    "status": 422,
    "detail": "limit: Input should be less than or equal to 1000",
    "instance": "/v1/vehicles/truck-0001/trips",
    "errors": [
        {"pointer": "/query/limit", "field": "limit", "reason": "Input should be less than or equal to 1000"}
    ],
}
_STATE_EXAMPLE = {
    "event_id": "0b7d3c7e-5b8f-4c43-9a57-3f8e8a1e2a10",
    "vehicle_id": "truck-0001",
    "device_id": "truck-0001",
    "device_time": "2026-11-26T09:30:00Z",
    "received_at": "2026-11-26T09:30:01.200000Z",
    "latitude": 37.4979,
    "longitude": 127.0276,
    "speed_kmh": 42.0,
    "heading": 90.0,
    "ignition": True,
    "motion": "moving",
    "temperatures": [{"channel": "A", "celsius": -19.5, "state": "ok", "setpoint_celsius": -20.0}],
    "door_open": False,
}
_WINDOW = {"vehicle_id": "truck-0001", "from": "2026-11-26T00:00:00+00:00", "to": "2026-11-27T00:00:00+00:00"}
READ_EXAMPLES: dict[str, dict[str, Any]] = {
    "vehicles": {"count": 1, "vehicles": [_STATE_EXAMPLE], "next_cursor": "truck-0001"},
    "positions": {
        **_WINDOW,
        "count": 1,
        "positions": [
            {
                "vehicle_id": "truck-0001",
                "device_time": "2026-11-26T09:30:00Z",
                "fix_time": "2026-11-26T09:29:59Z",
                "received_at": "2026-11-26T09:30:01.200000Z",
                "device_id": "truck-0001",
                "source": "http-batch",
                "latitude": 37.4979,
                "longitude": 127.0276,
                "speed_kmh": 42.0,
                "heading": 90.0,
                "ignition": True,
                "gps_valid": True,
                "temperatures": [{"channel": "A", "celsius": -19.5, "state": "ok", "setpoint_celsius": None}],
                "event_id": "7f0c1d8e-2a4b-4f7e-9c1d-1e2f3a4b5c6d",
            }
        ],
        "next_cursor": None,
    },
    "temperatures": {
        **_WINDOW,
        "count": 1,
        "readings": [
            {
                "device_time": "2026-11-26T09:30:00Z",
                "fix_time": None,
                "received_at": "2026-11-26T09:30:01.200000Z",
                "latitude": 37.4979,
                "longitude": 127.0276,
                "door_open": False,
                "defrost": False,
                "readings": [
                    {"channel": "A", "celsius": -19.5, "state": "ok", "setpoint_celsius": -20.0},
                    {"channel": "B", "celsius": None, "state": "unused", "setpoint_celsius": None},
                ],
            }
        ],
        "next_cursor": "eyJhdCI6IjIwMjYtMTEtMjZUMDk6MzA6MDArMDA6MDAiLCJpZCI6IiJ9",
    },
    "trips": {
        **_WINDOW,
        "count": 1,
        "trips": [
            {
                "trip_id": "5d0e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                "vehicle_id": "truck-0001",
                "started_at": "2026-11-26T06:10:00Z",
                "ended_at": "2026-11-26T09:05:00Z",
                "start_latitude": 37.27,
                "start_longitude": 127.44,
                "end_latitude": 35.16,
                "end_longitude": 126.85,
                "distance_km": 268.4,
                "open": False,
            }
        ],
        "next_cursor": None,
    },
    "stops": {
        **_WINDOW,
        "count": 1,
        "stops": [
            {
                "stop_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "vehicle_id": "truck-0001",
                "started_at": "2026-11-26T09:05:00Z",
                "ended_at": None,
                "latitude": 35.16,
                "longitude": 126.85,
                "duration_s": None,
                "open": True,
            }
        ],
        "next_cursor": None,
    },
    "excursions": {
        **_WINDOW,
        "count": 1,
        "excursions": [
            {
                "excursion_id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
                "vehicle_id": "truck-0001",
                "channel": "A",
                "zone": "frozen",
                "band_low_celsius": -22.0,
                "band_high_celsius": -18.0,
                "started_at": "2026-11-26T07:40:00Z",
                "opened_at": "2026-11-26T07:55:00Z",
                "ended_at": "2026-11-26T08:20:00Z",
                "opened_celsius": -16.5,
                "peak_celsius": -14.0,
                "duration_s": 2400.0,
                "latitude": 36.5,
                "longitude": 127.2,
                "open": False,
            }
        ],
        "next_cursor": None,
    },
    "alerts": {
        **_WINDOW,
        "count": 1,
        "alerts": [
            {
                "alert_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                "vehicle_id": "truck-0001",
                "kind": "probe_disconnected",
                "detail": "channel A reports OPEN",
                "started_at": "2026-11-26T08:00:00Z",
                "ended_at": None,
                "latitude": 36.9,
                "longitude": 127.1,
                "open": True,
            }
        ],
        "next_cursor": None,
    },
}


def read_responses(example: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` of a proxied read: its example and the problems it may answer."""
    problem = "application/problem+json"
    return {
        200: {"content": {"application/json": {"example": READ_EXAMPLES[example]}}},
        422: {"description": "Invalid query", "content": {problem: {"example": _PROBLEM_EXAMPLE}}},
        502: {"description": "Tracking answered with an error", "content": {problem: {}}},
        503: {
            "description": "Tracking unreachable; retry after the Retry-After header",
            "content": {problem: {}},
        },
    }


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
    415: "Unsupported media type (uploads: CSV or XLSX)",
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
