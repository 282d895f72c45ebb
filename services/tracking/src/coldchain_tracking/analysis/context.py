"""What one vehicle's analysis is judged against: the rules, its compartments, the
geofences, and the load on board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import Compartment
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.excursions import Band
from coldchain_tracking.analysis.geofences import Geofence, GeofenceIndex


class Load(BaseModel):
    """What the vehicle carries: derived from the orders on board (`analysis.loads.load_of`)."""

    model_config = ConfigDict(frozen=True)

    loaded_since: datetime
    destination_site_id: str | None = None
    setpoints: dict[str, float] = Field(default_factory=dict, description="Per channel, overrides the zone")


@dataclass(frozen=True)
class AnalysisContext:
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    compartments: tuple[Compartment, ...] = ()
    geofences: tuple[Geofence, ...] = ()
    load: Load | None = None
    index: GeofenceIndex | None = None
    """A prebuilt index of `geofences` (built once per change of them, not per vehicle)."""

    @cached_property
    def fence_by_id(self) -> dict[str, Geofence]:
        return {f.geofence_id: f for f in self.geofences}

    @cached_property
    def fence_index(self) -> GeofenceIndex:
        if self.index is not None:
            return self.index
        return GeofenceIndex(self.geofences, self.config.geofence_exit_margin_m)

    def band(self, channel: str) -> Band | None:
        compartment = next((c for c in self.compartments if c.channel == channel), None)
        zone = compartment.zone if compartment else None
        if self.load is not None and channel in self.load.setpoints:
            setpoint, tolerance = self.load.setpoints[channel], self.config.setpoint_tolerance_c
            return Band(low=setpoint - tolerance, high=setpoint + tolerance, zone=zone)
        if zone is None:
            return None
        limits = self.config.band_of(zone)
        return Band(low=limits[0], high=limits[1], zone=zone) if limits else None
