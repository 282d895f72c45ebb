from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from coldchain_contracts import TeltonikaIoMap
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

    # Device ports (OsmAnd, Teltonika): who may report and how fast, docs/device-protocols.md "Limits".
    accept_unknown_devices: bool = Field(
        default=False,
        description="Development only: OsmAnd and Teltonika accept any device id; otherwise a device "
        "must be bound to a vehicle (device registry or fleet.vehicles.v1)",
    )
    device_rate_per_s: float = Field(
        default=2.0,
        ge=0,
        description="Per device: OsmAnd requests (over it: 429) or Teltonika packets (over it: the "
        "acknowledgement waits) per second; 0: no limit",
    )
    device_burst: int = Field(default=30, ge=1, description="Per device: requests or packets saved up")

    # OsmAnd HTTP protocol (Traccar Client apps): its own listener, see docs/device-protocols.md.
    osmand_enabled: bool = Field(default=True, description="Serve the OsmAnd HTTP protocol")
    osmand_host: str | None = Field(default=None, description="Listen address; None: same as http_host")
    osmand_port: int = Field(default=5055, description="OsmAnd listener port (Traccar's default)")
    osmand_publish_timeout_s: float = Field(
        default=5.0, description="How long a request waits for Kafka's acknowledgement before 503"
    )
    osmand_max_connections: int = Field(
        default=2_000, ge=1, description="Open connections on the OsmAnd port; past it: 503"
    )
    osmand_max_connections_per_address: int = Field(
        default=200, ge=1, description="Open OsmAnd connections from one address; past it: 503"
    )
    osmand_address_rate_per_s: float = Field(
        default=50.0, ge=0, description="OsmAnd requests per second from one address (429); 0: no limit"
    )
    osmand_address_burst: int = Field(
        default=500, ge=1, description="OsmAnd requests one address may save up"
    )
    osmand_request_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="A request (headers and body) must arrive within this; a slower client is dropped",
    )

    # UVIS terminal service, polled; disabled unless both the URL and the serial key are set.
    uvis_base_url: str | None = Field(
        default=None, description="Prefix of InterfaceAction.do and SSOAction.do, e.g. https://host/path"
    )
    uvis_serial_key: SecretStr | None = Field(default=None, description="Company serial key (secret)")
    uvis_poll_interval_s: float = Field(default=60.0, description="Seconds between two account-wide pulls")
    uvis_timeout_s: float = Field(default=10.0, description="Timeout of one UVIS HTTP call")
    uvis_attempts: int = Field(default=3, description="Tries per UVIS call (timeouts, non-JSON answers)")
    uvis_retry_delay_s: float = Field(default=1.0, description="Pause between two tries of one call")
    uvis_key_ttl_s: float = Field(
        default=240.0, description="Access keys live 5 minutes; a new one is fetched after this many seconds"
    )

    @property
    def uvis_enabled(self) -> bool:
        return bool(self.uvis_base_url) and self.uvis_serial_key is not None

    teltonika_enabled: bool = Field(default=True, description="Run the Teltonika Codec 8/8E TCP server")
    teltonika_host: str = Field(default="127.0.0.1", description="Address the Teltonika server binds")
    teltonika_port: int = Field(default=5027, ge=0, le=65535, description="0 picks a free port")
    teltonika_idle_timeout_s: float = Field(
        default=300.0, gt=0, description="A connection silent this long is closed (half-open sockets)"
    )
    teltonika_handshake_timeout_s: float = Field(
        default=10.0, gt=0, description="The IMEI must arrive this soon after connecting"
    )
    teltonika_frame_timeout_s: float = Field(
        default=30.0, gt=0, description="A packet once started must be complete within this"
    )
    teltonika_max_data_bytes: int = Field(
        default=16_384,
        gt=0,
        description="Largest AVL data field accepted; a larger one closes the connection",
    )
    teltonika_max_connections: int = Field(
        default=10_000, ge=1, description="Open connections; past it a new one is closed unanswered"
    )
    teltonika_max_connections_per_address: int = Field(
        default=200, ge=1, description="Open connections from one address (raise it behind a carrier NAT)"
    )
    teltonika_address_connect_rate_per_s: float = Field(
        default=10.0, ge=0, description="New connections per second from one address; 0: no limit"
    )
    teltonika_address_connect_burst: int = Field(
        default=100, ge=1, description="New connections one address may save up"
    )
    teltonika_publish_timeout_s: float = Field(
        default=10.0, gt=0, description="Max wait for Kafka to acknowledge a packet's fixes"
    )
    teltonika_io_map: TeltonikaIoMap | None = Field(
        default=None, description="Fleet-wide IO map override (JSON), under each device's own override"
    )
