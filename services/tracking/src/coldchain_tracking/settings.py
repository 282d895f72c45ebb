from __future__ import annotations

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


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
