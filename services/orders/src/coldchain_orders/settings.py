from __future__ import annotations

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class OrdersSettings(ServiceSettings):
    model_config = service_settings_config("orders")

    service_name: str = "orders"
    http_port: int = 8003
    timezone: str = Field(
        default="Asia/Seoul",
        description="Operator's time zone: site opening hours and import times are local",
    )
    relay_enabled: bool = Field(default=True, description="Run the outbox relay in this process")
    relay_batch_max: int = Field(default=500, description="Outbox rows relayed per round")
    relay_idle_s: float = Field(default=0.1, description="Wait of an idle relay between polls")
    import_max_rows: int = Field(default=5000, description="Rows per import file")
