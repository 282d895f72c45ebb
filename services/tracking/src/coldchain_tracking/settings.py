from __future__ import annotations

from coldchain_servicekit.settings import ServiceSettings, service_settings_config
from coldchain_tracking.analysis.config import AnalysisConfig

# Analysis fields whose setting is named differently (env TRACKING_FROZEN_BAND_C, ...).
_SETTING_OF = {
    "frozen_band": "frozen_band_c",
    "chilled_band": "chilled_band_c",
    "ambient_band": "ambient_band_c",
}


class TrackingSettings(ServiceSettings):
    model_config = service_settings_config("tracking")

    service_name: str = "tracking"
    http_port: int = 8002
    moving_speed_kmh: float = 5.0
    offline_after_s: float = 600.0
    partitions_behind_days: int = 2
    partitions_ahead_days: int = 2
    history_retention_days: int | None = None
    partition_maintenance_s: float = 3600.0
    # Analysis rules (docs/tracking-analysis.md); env TRACKING_<NAME>.
    lateness_s: float = 120.0
    flush_after_s: float = 120.0
    stop_min_s: float = 180.0
    geofence_dwell_s: float = 60.0
    geofence_exit_margin_m: float = 30.0
    excursion_grace_s: float = 300.0
    excursion_hysteresis_c: float = 0.5
    setpoint_tolerance_c: float = 2.0
    frozen_band_c: tuple[float, float] = (-25.0, -18.0)
    chilled_band_c: tuple[float, float] = (0.0, 5.0)
    ambient_band_c: tuple[float, float] | None = None
    alert_dedup_s: float = 600.0
    probe_disconnected_after_s: float = 300.0
    slow_speed_kmh: float = 15.0
    slow_after_s: float = 2400.0
    loaded_max_s: float = 4 * 3600.0
    sweep_every_s: float = 30.0
    reference_refresh_s: float = 5.0
    # Finished orders' load rows are kept this long (beyond orders.events.v1's 28 days).
    loads_keep_days: float = 35.0
    # Temperature records: a stretch without a reading longer than this is a coverage gap
    # (EN 12830 recorders log at least every 5 minutes on trips under 24 h).
    record_interval_s: float = 300.0

    def analysis_config(self) -> AnalysisConfig:
        """Every rule threshold from its `TRACKING_<NAME>` setting (bands carry a `_c` suffix)."""
        return AnalysisConfig(
            **{name: getattr(self, _SETTING_OF.get(name, name)) for name in AnalysisConfig.model_fields}
        )
