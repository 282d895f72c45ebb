"""Every service describes its Kafka channels in an AsyncAPI document."""

from __future__ import annotations

import httpx
import pytest

from coldchain_devtools.testing import RunningSystem

pytestmark = pytest.mark.e2e

EXPECTED_CHANNEL = {
    "gateway": "tracking.vehicle-state.v1",
    "ingest": "telemetry.gps.raw.v1",
    "tracking": "telemetry.gps.v1",
    "orders": "orders.commands.v1",
    "dispatch": "dispatch.commands.v1",
}


async def test_each_service_serves_an_asyncapi_document_naming_the_topics_it_consumes(
    running_system: RunningSystem,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for service, topic in EXPECTED_CHANNEL.items():
            response = await client.get(f"{running_system.url(service)}/asyncapi.json")
            assert response.status_code == 200, service
            document = response.json()
            assert document["asyncapi"].startswith("3."), service
            addresses = {c.get("address") for c in document["channels"].values()}
            assert topic in addresses, (service, sorted(a for a in addresses if a))
