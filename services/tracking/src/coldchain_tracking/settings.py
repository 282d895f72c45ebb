from __future__ import annotations

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config
from coldchain_tracking.analysis.config import AnalysisConfig, AnalysisThresholds


class TrackingSettings(ServiceSettings, AnalysisThresholds):
    """Tracking's settings; the analysis rule thresholds (docs/tracking-analysis.md) come
    from `AnalysisThresholds`, each as `TRACKING_<NAME>`."""

    model_config = service_settings_config("tracking")

    service_name: str = "tracking"
    http_port: int = 8002
    partitions_behind_days: int = Field(
        default=2, description="History day partitions kept ready behind today"
    )
    partitions_ahead_days: int = Field(default=2, description="History day partitions created ahead of today")
    history_retention_days: int | None = Field(
        default=None, description="Drop history partitions older than this; unset keeps everything"
    )
    partition_maintenance_s: float = Field(default=3600.0, description="How often partitions are maintained")
    sweep_every_s: float = Field(
        default=30.0, description="How often time-based rules (offline, quiet vehicles) are swept"
    )
    reference_refresh_s: float = Field(
        default=5.0, description="How often vehicles, compartments and geofences are reloaded"
    )
    gauges_refresh_s: float = Field(
        default=30.0, gt=0, description="How often open excursions and reporting vehicles are counted"
    )
    loads_keep_days: float = Field(
        default=35.0,
        description="Finished orders' load rows are kept this long (beyond orders.events.v1's 28 days)",
    )
    record_interval_s: float = Field(
        default=300.0,
        description="Temperature records: a stretch without a reading longer than this is a coverage gap "
        "(EN 12830 recorders log at least every 5 minutes on trips under 24 h)",
    )

    rebuild_on_empty: bool = Field(
        default=True,
        description="Rebuild live and analysis state from history when Redis has lost it (at start, "
        "and when found on the reference refresh)",
    )
    rebuild_window_h: float = Field(
        default=24.0,
        description="How much of each vehicle's history (before its newest fix) a rebuild replays "
        "through the analysis",
    )

    def analysis_config(self) -> AnalysisConfig:
        return AnalysisConfig(**{name: getattr(self, name) for name in AnalysisThresholds.model_fields})
