"""The Teltonika server's settings, read from `IngestSettings` (docs/device-protocols.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coldchain_contracts.devices import TeltonikaIoMap
from coldchain_ingest.protocols.limits import Rate
from coldchain_ingest.settings import IngestSettings


@dataclass(frozen=True, slots=True)
class TeltonikaConfig:
    host: str = "127.0.0.1"
    port: int = 5027
    accept_unknown: bool = False
    idle_timeout_s: float = 300.0
    handshake_timeout_s: float = 10.0
    frame_timeout_s: float = 30.0
    max_data_bytes: int = 16_384
    publish_timeout_s: float = 10.0
    max_connections: int = 10_000
    max_connections_per_address: int = 200
    address_connects: Rate = field(default_factory=lambda: Rate(per_s=10.0, burst=100))
    device_packets: Rate = field(default_factory=lambda: Rate(per_s=2.0, burst=30))
    backlog: int = 1024
    io_map: TeltonikaIoMap | None = None


def teltonika_config(settings: IngestSettings) -> TeltonikaConfig:
    return TeltonikaConfig(
        host=settings.teltonika_host,
        port=settings.teltonika_port,
        accept_unknown=settings.accept_unknown_devices,
        idle_timeout_s=settings.teltonika_idle_timeout_s,
        handshake_timeout_s=settings.teltonika_handshake_timeout_s,
        frame_timeout_s=settings.teltonika_frame_timeout_s,
        max_data_bytes=settings.teltonika_max_data_bytes,
        publish_timeout_s=settings.teltonika_publish_timeout_s,
        max_connections=settings.teltonika_max_connections,
        max_connections_per_address=settings.teltonika_max_connections_per_address,
        address_connects=Rate(
            settings.teltonika_address_connect_rate_per_s, settings.teltonika_address_connect_burst
        ),
        device_packets=Rate(settings.device_rate_per_s, settings.device_burst),
        io_map=settings.teltonika_io_map,
    )
