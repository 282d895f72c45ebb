from __future__ import annotations

from typing import Literal

from pydantic import Field

from coldchain_contracts import TeltonikaIoMap
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
    teltonika_enabled: bool = Field(default=True, description="Run the Teltonika Codec 8/8E TCP server")
    teltonika_host: str = Field(default="127.0.0.1", description="Address the Teltonika server binds")
    teltonika_port: int = Field(default=5027, ge=0, le=65535, description="0 picks a free port")
    teltonika_idle_timeout_s: float = Field(
        default=300.0, gt=0, description="A connection silent this long is closed (half-open sockets)"
    )
    teltonika_max_data_bytes: int = Field(
        default=65_536,
        gt=0,
        description="Largest AVL data field accepted; a larger one closes the connection",
    )
    teltonika_publish_timeout_s: float = Field(
        default=10.0, gt=0, description="Max wait for Kafka to acknowledge a packet's fixes"
    )
    teltonika_io_map: TeltonikaIoMap | None = Field(
        default=None, description="Fleet-wide IO map override (JSON), under each device's own override"
    )
