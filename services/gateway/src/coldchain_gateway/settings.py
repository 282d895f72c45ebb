from __future__ import annotations

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class GatewaySettings(ServiceSettings):
    model_config = service_settings_config("gateway")

    service_name: str = "gateway"
    http_port: int = 8000
    tracking_url: str = Field(default="http://127.0.0.1:8002", description="Tracking query API")
    orders_url: str = Field(default="http://127.0.0.1:8003", description="Orders query and import API")
    upstream_timeout_s: float = 5.0
    import_timeout_s: float = Field(
        default=60.0, description="Max wait for the orders service to import a file"
    )
    import_max_bytes: int = Field(default=10 * 1024 * 1024, description="Largest import file accepted")
    publish_timeout_s: float = Field(default=10.0, description="Max wait for Kafka acknowledgements")
