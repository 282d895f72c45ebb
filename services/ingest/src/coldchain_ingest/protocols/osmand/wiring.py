"""Builds the OsmAnd listener of an ingest process from its settings."""

from __future__ import annotations

from coldchain_ingest.protocols.limits import ConnectionSlots, Rate
from coldchain_ingest.protocols.osmand.connections import guarded_h11
from coldchain_ingest.protocols.osmand.devices import DeviceOptions
from coldchain_ingest.protocols.osmand.listener import OsmAndListener, Publish, RequestLimits
from coldchain_ingest.protocols.osmand.server import EmbeddedServer
from coldchain_ingest.settings import IngestSettings


def request_limits(settings: IngestSettings) -> RequestLimits:
    return RequestLimits(
        per_address=Rate(settings.osmand_address_rate_per_s, settings.osmand_address_burst),
        per_device=Rate(settings.device_rate_per_s, settings.device_burst),
        body_timeout_s=settings.osmand_request_timeout_s,
    )


def osmand_server(settings: IngestSettings, publish: Publish, devices: DeviceOptions) -> EmbeddedServer:
    listener = OsmAndListener(
        publish,
        devices,
        publish_timeout_s=settings.osmand_publish_timeout_s,
        limits=request_limits(settings),
    )
    slots = ConnectionSlots(settings.osmand_max_connections, settings.osmand_max_connections_per_address)
    return EmbeddedServer(
        "osmand",
        listener,
        settings.osmand_host or settings.http_host,
        settings.osmand_port,
        http=guarded_h11(slots, settings.osmand_request_timeout_s),
    )
