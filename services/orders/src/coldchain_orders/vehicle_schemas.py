"""Request bodies of the vehicle API (master data, written synchronously like sites).

Shapes only: field types and ranges. The rules that relate fields to each other or to
other records (bands, body type, depot site, devices) are in `fleet_rules`.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import BodyType, TemperatureZone
from coldchain_contracts.fleet import Weekday
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN, Identifier

CHANNEL_PATTERN = r"^[A-Za-z0-9]{1,8}$"

VEHICLE_EXAMPLE: dict[str, Any] = {
    "name": "Truck 07",
    "plate": "12가3456",
    "body_type": "dual",
    "compartments": [
        {"channel": "A", "zone": "frozen", "setpoint_celsius": -20, "pallets": 8},
        {"channel": "B", "zone": "chilled", "setpoint_celsius": 3, "pallets": 6},
    ],
    "weight_capacity_kg": 5000,
    "volume_capacity_m3": 30,
    "forklift": False,
    "depot_site_id": "depot-icheon",
    "shift": {"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"},
    "max_route_minutes": 600,
    "cost_per_km": 1.2,
    "active": True,
    "device_ids": ["sim-0001"],
}


class CompartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(pattern=CHANNEL_PATTERN, description="Temperature channel that monitors it")
    zone: TemperatureZone
    setpoint_celsius: float | None = Field(default=None, ge=-40, le=40)
    pallets: int = Field(ge=0, le=60)


class Shift(BaseModel):
    """Working hours, local time (the operator's zone); an end before the start crosses midnight."""

    model_config = ConfigDict(extra="forbid")

    weekdays: list[Weekday] = Field(default_factory=lambda: list(range(7)), max_length=7)
    start: time
    end: time


class VehicleIn(BaseModel):
    """A whole vehicle (PUT)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [VEHICLE_EXAMPLE]})

    name: str = Field(default="", max_length=200)
    plate: str = Field(default="", max_length=32)
    body_type: BodyType
    compartments: list[CompartmentIn] = Field(min_length=1, max_length=4)
    weight_capacity_kg: float | None = Field(default=None, gt=0, le=100_000)
    volume_capacity_m3: float | None = Field(default=None, gt=0, le=500)
    forklift: bool = False
    depot_site_id: str = Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)
    shift: Shift
    max_route_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    cost_per_km: float | None = Field(default=None, ge=0, le=1_000_000)
    active: bool = True
    device_ids: list[Identifier] = Field(default_factory=list, max_length=8)


class VehiclePatch(BaseModel):
    """Some fields of a vehicle (PATCH); those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    plate: str | None = Field(default=None, max_length=32)
    body_type: BodyType | None = None
    compartments: list[CompartmentIn] | None = Field(default=None, min_length=1, max_length=4)
    weight_capacity_kg: float | None = Field(default=None, gt=0, le=100_000)
    volume_capacity_m3: float | None = Field(default=None, gt=0, le=500)
    forklift: bool | None = None
    depot_site_id: str | None = Field(
        default=None, min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN
    )
    shift: Shift | None = None
    max_route_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    cost_per_km: float | None = Field(default=None, ge=0, le=1_000_000)
    active: bool | None = None
    device_ids: list[Identifier] | None = Field(default=None, max_length=8)
