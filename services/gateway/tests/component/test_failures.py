"""The gateway's answers when what it depends on fails: problem details, never a hang."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from coldchain_devtools.testing import free_port
from coldchain_gateway.app import create_app
from coldchain_gateway.settings import GatewaySettings

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component
FIX = {"device_id": "truck-1", "time": "2026-11-26T09:30:00Z", "latitude": 37.5, "longitude": 127.0}


async def test_kafka_not_acknowledging_is_a_503_with_retry_after(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    app = make_app()

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("no broker")

    async with TestKafkaBroker(app.state.broker) as broker:
        monkeypatch.setattr(broker, "publish", refuse)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            response = await client.post("/v1/telemetry/gps", json={"fixes": [FIX]}, headers=AUTH)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"


async def test_tracking_unreachable_is_a_503_problem(make_app: AppFactory) -> None:
    app = make_app(tracking_url=f"http://127.0.0.1:{free_port()}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        response = await client.get("/v1/vehicles/truck-1/state", headers=AUTH)
    assert response.status_code == 503
    assert response.json()["title"] == "Tracking service unavailable"


async def test_an_unknown_route_is_a_404_problem(make_app: AppFactory) -> None:
    app = make_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_redis_unreachable_fails_closed_with_a_503_problem() -> None:
    app = create_app(GatewaySettings(dev_mode=True, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        response = await client.get("/v1/auth/me", headers={"X-API-Key": "cci_anything"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
