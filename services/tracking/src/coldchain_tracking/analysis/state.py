"""What the analysis remembers about one vehicle, stored as JSON next to its live state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import AlertKind, Motion
from coldchain_tracking.analysis.alerts import AlertTrack
from coldchain_tracking.analysis.excursions import ChannelWatch
from coldchain_tracking.analysis.geofences import Presence
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.trips import TripState


class VehicleAnalysis(BaseModel):
    """Everything the analysis remembers about one vehicle; stored as JSON next to live state."""

    model_config = ConfigDict(frozen=True)

    vehicle_id: str
    revision: int = 0
    watermark: datetime | None = None
    buffer: tuple[Sample, ...] = ()
    last_fix: Sample | None = None
    last_received_at: datetime | None = None
    last_valid: Point | None = None
    motion: Motion | None = None
    trips: TripState = Field(default_factory=TripState)
    presence: dict[str, Presence] = Field(default_factory=dict)
    channels: dict[str, ChannelWatch] = Field(default_factory=dict)
    alerts: dict[str, AlertTrack] = Field(default_factory=dict)

    @property
    def offline(self) -> bool:
        track = self.alerts.get(AlertKind.OFFLINE.value)
        return track is not None and track.alert is not None and track.cleared_at is None
