"""Thresholds of the analysis rules (each overridable by a `TRACKING_` env var, see settings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import TemperatureZone


class AnalysisConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    lateness_s: float = 120.0
    """Reorder buffer: fixes are analysed once the newest fix is this much newer (device time)."""
    flush_after_s: float = 120.0
    """...or once nothing has been received for this long (receipt time): the vehicle went quiet."""
    moving_speed_kmh: float = 5.0
    stop_min_s: float = 180.0
    geofence_dwell_s: float = 60.0
    geofence_exit_margin_m: float = 30.0
    excursion_grace_s: float = 300.0
    excursion_hysteresis_c: float = 0.5
    setpoint_tolerance_c: float = 2.0
    frozen_band: tuple[float, float] = (-25.0, -18.0)
    chilled_band: tuple[float, float] = (0.0, 5.0)
    ambient_band: tuple[float, float] | None = None
    alert_dedup_s: float = 600.0
    probe_disconnected_after_s: float = 300.0
    slow_speed_kmh: float = 15.0
    slow_after_s: float = 2400.0
    loaded_max_s: float = 4 * 3600.0
    offline_after_s: float = 600.0

    def band_of(self, zone: TemperatureZone) -> tuple[float, float] | None:
        if zone is TemperatureZone.FROZEN:
            return self.frozen_band
        if zone is TemperatureZone.CHILLED:
            return self.chilled_band
        return self.ambient_band
