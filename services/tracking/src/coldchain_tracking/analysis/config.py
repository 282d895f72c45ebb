"""Thresholds of the analysis rules, declared once.

`AnalysisThresholds` holds the fields; `TrackingSettings` inherits them (so each is a
`TRACKING_<NAME>` env var) and `AnalysisConfig` is the frozen copy the pure analysis
code receives.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import TemperatureZone


class AnalysisThresholds(BaseModel):
    lateness_s: float = Field(
        default=120.0,
        description="Reorder buffer: fixes are analysed once the newest fix is this much newer (device time)",
    )
    flush_after_s: float = Field(
        default=120.0,
        description="...or once nothing has been received for this long (receipt time): the vehicle went quiet",
    )
    moving_speed_kmh: float = Field(default=5.0, description="At or above this speed a vehicle is moving")
    stop_min_s: float = Field(default=180.0, description="A halt this long or longer is a stop")
    geofence_dwell_s: float = Field(default=60.0, description="Inside a geofence this long makes a visit")
    geofence_exit_margin_m: float = Field(
        default=30.0, description="A visit ends this far beyond the boundary (hysteresis against GPS jitter)"
    )
    excursion_grace_s: float = Field(
        default=300.0, description="Out of band this long before an excursion opens"
    )
    excursion_hysteresis_c: float = Field(
        default=0.5, description="Back inside the band by this much before an excursion closes"
    )
    setpoint_tolerance_c: float = Field(
        default=2.0,
        description="A loaded compartment further than this from the order's setpoint is out of band",
    )
    frozen_band_c: tuple[float, float] = Field(
        default=(-25.0, -18.0), description="Frozen band (low, high) °C"
    )
    chilled_band_c: tuple[float, float] = Field(default=(0.0, 5.0), description="Chilled band (low, high) °C")
    ambient_band_c: tuple[float, float] | None = Field(
        default=None, description="Ambient band (low, high) °C; unset: ambient is not monitored"
    )
    alert_dedup_s: float = Field(default=600.0, description="The same alert is not raised again within this")
    probe_disconnected_after_s: float = Field(
        default=300.0, description="A probe reporting disconnected this long raises an alert"
    )
    slow_speed_kmh: float = Field(default=15.0, description="Slow-or-stuck alert: under this speed...")
    slow_after_s: float = Field(default=2400.0, description="...for this long")
    loaded_max_s: float = Field(
        default=4 * 3600.0, description="Loaded this long without arriving raises an alert"
    )
    offline_after_s: float = Field(default=600.0, description="No fix for this long: the vehicle is offline")


class AnalysisConfig(AnalysisThresholds):
    model_config = ConfigDict(frozen=True)

    def band_of(self, zone: TemperatureZone) -> tuple[float, float] | None:
        if zone is TemperatureZone.FROZEN:
            return self.frozen_band_c
        if zone is TemperatureZone.CHILLED:
            return self.chilled_band_c
        return self.ambient_band_c
