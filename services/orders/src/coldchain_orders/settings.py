from __future__ import annotations

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class OrdersSettings(ServiceSettings):
    model_config = service_settings_config("orders")

    service_name: str = "orders"
    http_port: int = 8003
