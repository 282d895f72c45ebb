"""Builds the OsmAnd listener of an ingest process from its settings."""

from __future__ import annotations

from coldchain_ingest.protocols.osmand.devices import DeviceOptions
from coldchain_ingest.protocols.osmand.listener import OsmAndListener, Publish
from coldchain_ingest.protocols.osmand.server import EmbeddedServer
from coldchain_ingest.settings import IngestSettings


def osmand_server(settings: IngestSettings, publish: Publish, devices: DeviceOptions) -> EmbeddedServer:
    listener = OsmAndListener(publish, devices, publish_timeout_s=settings.osmand_publish_timeout_s)
    return EmbeddedServer(
        "osmand", listener, settings.osmand_host or settings.http_host, settings.osmand_port
    )
