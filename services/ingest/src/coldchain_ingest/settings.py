from __future__ import annotations

from typing import Literal

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class IngestSettings(ServiceSettings):
    model_config = service_settings_config("ingest")

    service_name: str = "ingest"
    http_port: int = 8001
    max_future_s: float = Field(default=300.0, description="Fixes further ahead than this are rejected")
    max_past_s: float = Field(
        default=7 * 86400.0, description="Fixes older than this (device time vs now) are rejected"
    )
    max_accuracy_m: float | None = Field(
        default=200.0, description="Fixes reporting a worse accuracy radius are rejected (unset: off)"
    )
    max_hdop: float | None = Field(
        default=20.0, description="Fixes with a higher HDOP are rejected (unset: off)"
    )
    max_implied_speed_kmh: float = Field(
        default=200.0, description="A jump from the neighbouring fix implying a higher speed is rejected"
    )
    implied_speed_min_distance_m: float = Field(
        default=200.0, description="Jumps shorter than this are never judged by implied speed"
    )
    bindings_refresh_s: float = Field(
        default=5.0, description="How often each replica reloads device bindings from the database"
    )
    unbound_device_policy: Literal["self", "reject"] = Field(
        default="self",
        description="'self': a device not bound to a vehicle reports as vehicle <device_id>; "
        "'reject': its fixes go to the rejected topic",
    )
