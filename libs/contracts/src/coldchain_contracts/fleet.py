"""Fleet reference data: vehicles and their bindings to telematics devices."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope
from coldchain_contracts.identifiers import Identifier


class TemperatureZone(StrEnum):
    FROZEN = "frozen"
    CHILLED = "chilled"
    AMBIENT = "ambient"


class BodyType(StrEnum):
    FROZEN = "frozen"
    CHILLED = "chilled"
    DUAL = "dual"
    AMBIENT = "ambient"


class Compartment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    channel: str = Field(examples=["A"], description="Temperature channel that monitors it")
    zone: TemperatureZone
    pallets: int = Field(ge=0)
    setpoint_celsius: float | None = Field(default=None, description="Temperature the unit is set to")


class Depot(BaseModel):
    """Where a vehicle starts and ends its working day."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    site_id: str | None = None


class VehicleRegistered(Envelope):
    """Topic `fleet.vehicles.v1` (compacted), key `vehicle_id`: the vehicle as it is now.

    Each message is the full current record, so the latest one per key is all a
    projection needs.
    """

    event_type: Literal["VehicleRegistered"] = "VehicleRegistered"
    vehicle_id: Identifier
    plate: str = ""
    name: str = ""
    body_type: BodyType = BodyType.CHILLED
    compartments: tuple[Compartment, ...] = ()
    weight_capacity_kg: float | None = None
    volume_capacity_m3: float | None = Field(default=None, ge=0)
    device_ids: tuple[Identifier, ...] = Field(default=(), description="Devices bound to it")
    active: bool = True
    depot: Depot | None = None
    shift_start: time | None = Field(default=None, description="Local time (Asia/Seoul) the shift starts")
    shift_end: time | None = Field(
        default=None, description="Local time the shift ends; before start = overnight"
    )
    shift_weekdays: tuple[int, ...] | None = Field(
        default=None, description="Weekdays the shift runs (0 = Monday); unset: every day"
    )
    max_route_minutes: int | None = Field(default=None, gt=0)
    forklift: bool = Field(default=False, description="Carries a forklift or its driver operates one")
    cost_per_km: float | None = Field(default=None, ge=0)

    @classmethod
    def removed(cls, vehicle_id: str) -> VehicleRegistered:
        """What a tombstone (null value) for `vehicle_id` means: the vehicle is gone."""
        return cls(vehicle_id=vehicle_id, active=False, producer="tombstone")
