"""The comparison point of `bench/api.py`: a bare FastAPI endpoint answering a vehicle state
from memory, served by uvicorn exactly like the gateway (one process, no middleware)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()
STATE: dict[str, Any] = {
    "vehicle_id": "api-00001",
    "device_id": "api-00001",
    "device_time": "2026-11-26T09:30:00Z",
    "received_at": "2026-11-26T09:30:01.200000Z",
    "latitude": 37.4979,
    "longitude": 127.0276,
    "speed_kmh": 42.0,
    "motion": "moving",
    "temperatures": [{"channel": "A", "celsius": -19.5, "state": "ok"}],
}


@app.get("/state")
async def state() -> dict[str, Any]:
    return STATE
