"""Builds the UVIS poller of an ingest process from its settings (only when configured)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_ingest.protocols.uvis.client import UvisClient
from coldchain_ingest.protocols.uvis.cursors import UvisCursors
from coldchain_ingest.protocols.uvis.leadership import AdvisoryLeadership
from coldchain_ingest.protocols.uvis.poller import Publish, UvisPoller
from coldchain_ingest.settings import IngestSettings


class UvisService:
    """The poller and the HTTP connection pool it owns, started and stopped together."""

    def __init__(self, settings: IngestSettings, engine: AsyncEngine, publish: Publish) -> None:
        if settings.uvis_base_url is None or settings.uvis_serial_key is None:
            raise ValueError("UVIS needs INGEST_UVIS_BASE_URL and INGEST_UVIS_SERIAL_KEY")
        self._http = httpx.AsyncClient(timeout=settings.uvis_timeout_s)
        client = UvisClient(
            self._http,
            settings.uvis_base_url,
            settings.uvis_serial_key,
            key_ttl_s=settings.uvis_key_ttl_s,
            attempts=settings.uvis_attempts,
            retry_delay_s=settings.uvis_retry_delay_s,
        )
        self.poller = UvisPoller(
            client,
            UvisCursors(engine),
            AdvisoryLeadership(engine, "ingest-uvis-poller"),
            publish,
            interval_s=settings.uvis_poll_interval_s,
        )

    async def start(self) -> None:
        await self.poller.start()

    async def stop(self) -> None:
        await self.poller.stop()
        await self._http.aclose()
