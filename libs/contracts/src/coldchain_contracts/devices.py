"""The device registry: each telematics device, its vehicle, and how ingest reads it.

Published on the compacted `fleet.devices.v1` (key `device_id`, latest record wins) by
the gateway's admin API; ingest projects it into its own table. A tombstone removes
the device. A device's `vehicle_id` binds it like `VehicleRegistered.device_ids` does;
whichever record about the device is newer decides.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope
from coldchain_contracts.identifiers import Identifier
from coldchain_contracts.telemetry import SpeedUnit

IoId = Annotated[
    int | None, Field(ge=0, le=65535, description="Teltonika AVL ID; 0 switches the mapping off")
]


class TemperatureProbe(BaseModel):
    """A Teltonika temperature IO element that feeds one reefer channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(min_length=1, max_length=8, examples=["A"])
    io: int = Field(ge=1, le=65535, examples=[72], description="AVL ID of the temperature element")
    sensor: Literal["dallas", "ble"] = Field(
        default="dallas",
        description="'dallas': 1-Wire probe, 0.1 °C, sentinels 850/2000/3000/4000/5000; "
        "'ble': Bluetooth sensor, 0.01 °C, sentinels 2000/3000/4000",
    )


class TeltonikaIoMap(BaseModel):
    """Which AVL IDs mean what for one device. Unset fields keep ingest's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ignition: IoId = None
    movement: IoId = None
    external_voltage: IoId = None
    odometer: IoId = None
    hdop: IoId = None
    door: IoId = None
    door_open_value: int | None = Field(
        default=None, ge=0, description="Value of the door input that means open (default 1)"
    )
    driver: IoId = None
    temperatures: tuple[TemperatureProbe, ...] | None = Field(
        default=None, max_length=8, description="Replaces the default probe list when given"
    )


class DeviceOptions(BaseModel):
    """Per-device protocol options; every field is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speed_unit: SpeedUnit | None = Field(
        default=None, description="Unit the device reports speed in (OsmAnd: knots when unset)"
    )
    teltonika_io: TeltonikaIoMap | None = None


class DeviceRegistered(Envelope):
    """Topic `fleet.devices.v1` (compacted), key `device_id`: the device as it is now."""

    event_type: Literal["DeviceRegistered"] = "DeviceRegistered"
    device_id: Identifier = Field(examples=["356307042441013"])
    vehicle_id: Identifier | None = Field(default=None, description="None: not bound")
    protocol: str = Field(
        min_length=1,
        max_length=32,
        examples=["teltonika"],
        description="How it reports: teltonika, osmand, uvis, http-batch, ...",
    )
    options: DeviceOptions = Field(default_factory=DeviceOptions)
    active: bool = True

    @classmethod
    def removed(cls, device_id: str) -> DeviceRegistered:
        """What a tombstone (null value) for `device_id` means: the device is gone."""
        return cls(device_id=device_id, protocol="removed", active=False, producer="tombstone")
