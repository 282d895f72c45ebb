from __future__ import annotations

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class DispatchSettings(ServiceSettings):
    model_config = service_settings_config("dispatch")

    service_name: str = "dispatch"
    http_port: int = 8004
