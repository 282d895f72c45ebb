from __future__ import annotations

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class GatewaySettings(ServiceSettings):
    model_config = service_settings_config("gateway")

    service_name: str = "gateway"
    http_port: int = 8000
    tracking_url: str = Field(default="http://127.0.0.1:8002", description="Tracking query API")
    ingest_url: str = Field(default="http://127.0.0.1:8001", description="Ingest query API (device registry)")
    upstream_timeout_s: float = 5.0
    publish_timeout_s: float = Field(default=10.0, description="Max wait for Kafka acknowledgements")
