from __future__ import annotations

from pydantic import Field

from coldchain_orders.sheet_reader import ReadLimits
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
    import_max_rows: int = Field(default=5000, description="Data rows per import file")
    import_max_sheet_rows: int = Field(
        default=20_000, description="Row numbers an import may reach, blank rows included"
    )
    import_max_columns: int = Field(default=64, description="Columns read per row; the rest are ignored")
    import_max_unpacked_bytes: int = Field(
        default=50_000_000, description="Largest unzipped size of an XLSX import"
    )
    import_max_seconds: float = Field(default=10.0, description="Longest time reading one import file")

    def import_limits(self) -> ReadLimits:
        return ReadLimits(
            max_rows=self.import_max_rows,
            max_sheet_rows=self.import_max_sheet_rows,
            max_columns=self.import_max_columns,
            max_unpacked_bytes=self.import_max_unpacked_bytes,
            max_seconds=self.import_max_seconds,
        )
