from __future__ import annotations

from typing import Literal

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class IngestSettings(ServiceSettings):
    model_config = service_settings_config("ingest")

    service_name: str = "ingest"
    http_port: int = 8001
    max_future_s: float = Field(default=300.0, description="Fixes further ahead than this are rejected")
    bindings_refresh_s: float = Field(
        default=5.0, description="How often each replica reloads device bindings from the database"
    )
    unbound_device_policy: Literal["self", "reject"] = Field(
        default="self",
        description="'self': a device not bound to a vehicle reports as vehicle <device_id>; "
        "'reject': its fixes go to the rejected topic",
    )
