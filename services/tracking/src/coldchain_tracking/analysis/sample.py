"""The part of a fix the analysis needs, small enough to keep in the reorder buffer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import FixAccepted, ReeferReading


class Sample(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    latitude: float
    longitude: float
    received_at: datetime | None = None
    """When the platform received it (None: at `at`); the offline clock runs on this."""
    speed_kmh: float | None = None
    ignition: bool | None = None
    gps_valid: bool = True
    defrost: bool | None = None
    temperatures: tuple[ReeferReading, ...] = ()

    @classmethod
    def of(cls, fix: FixAccepted) -> Sample:
        return cls(
            at=fix.device_time,
            latitude=fix.latitude,
            longitude=fix.longitude,
            received_at=fix.received_at,
            speed_kmh=fix.speed_kmh,
            ignition=fix.ignition,
            gps_valid=fix.gps_valid,
            defrost=fix.defrost,
            temperatures=fix.temperatures,
        )


class Point(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    latitude: float
    longitude: float
