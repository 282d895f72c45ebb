"""The gateway's vehicle reads proxy to tracking's query API: path, query, answer, problems.

Tracking is replaced by an httpx mock transport that records what it was asked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from coldchain_gateway.openapi_docs import READ_EXAMPLES

from .conftest import AUTH, AppFactory

pytestmark = pytest.mark.component
PROBLEM = {"type": "about:blank", "title": "cursor is not one this API issued", "status": 422}


class FakeTracking:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answer: tuple[int, Any, str] = (200, {"ok": True}, "application/json")

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, content_type = self.answer
        return httpx.Response(status, json=body, headers={"content-type": content_type})


@pytest.fixture
async def gateway(make_app: AppFactory) -> AsyncIterator[tuple[httpx.AsyncClient, FakeTracking]]:
    app = make_app()
    tracking = FakeTracking()
    app.state.tracking = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking.handle), base_url="http://tracking"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=AUTH
    ) as client:
        yield client, tracking
    await app.state.tracking.aclose()


@pytest.mark.parametrize(
    ("path", "params", "forwarded"),
    [
        ("/v1/vehicles", {}, {"limit": "100"}),
        ("/v1/vehicles", {"limit": 1000, "cursor": "truck-9"}, {"limit": "1000", "cursor": "truck-9"}),
        (
            "/v1/vehicles/truck-1/positions",
            {"from": "2026-11-26T00:00:00Z", "cursor": "abc"},
            {"from": "2026-11-26T00:00:00+00:00", "limit": "1000", "cursor": "abc"},
        ),
        (
            "/v1/vehicles/truck-1/temperatures",
            {"from": "2026-11-26T09:00:00+09:00", "to": "2026-11-27T00:00:00Z", "channel": "A", "limit": 50},
            {
                "from": "2026-11-26T09:00:00+09:00",
                "to": "2026-11-27T00:00:00+00:00",
                "channel": "A",
                "limit": "50",
            },
        ),
        ("/v1/vehicles/truck-1/trips", {}, {"limit": "100"}),
        ("/v1/vehicles/truck-1/stops", {"status": "open"}, {"status": "open", "limit": "100"}),
        (
            "/v1/vehicles/truck-1/excursions",
            {"status": "closed", "limit": 5},
            {"status": "closed", "limit": "5"},
        ),
        ("/v1/vehicles/truck-1/alerts", {"cursor": "c1"}, {"limit": "100", "cursor": "c1"}),
    ],
)
async def test_each_read_is_forwarded_with_its_query_and_answered_unchanged(
    gateway: tuple[httpx.AsyncClient, FakeTracking],
    path: str,
    params: dict[str, Any],
    forwarded: dict[str, str],
) -> None:
    client, tracking = gateway
    tracking.answer = (200, {"count": 0, "next_cursor": None}, "application/json")
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.json() == {"count": 0, "next_cursor": None}
    [sent] = tracking.requests
    assert sent.url.path == path
    assert dict(sent.url.params) == forwarded


async def test_an_upstream_problem_passes_through_with_its_status_and_media_type(
    gateway: tuple[httpx.AsyncClient, FakeTracking],
) -> None:
    client, tracking = gateway
    tracking.answer = (422, PROBLEM, "application/problem+json")
    response = await client.get("/v1/vehicles/truck-1/trips", params={"cursor": "forged"})
    assert (response.status_code, response.json()) == (422, PROBLEM)
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_upstream_server_error_is_a_502_problem(
    gateway: tuple[httpx.AsyncClient, FakeTracking],
) -> None:
    client, tracking = gateway
    tracking.answer = (500, {"title": "boom"}, "application/problem+json")
    response = await client.get("/v1/vehicles/truck-1/alerts")
    assert response.status_code == 502
    assert response.json()["title"] == "Tracking service error"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/vehicles", {"limit": 1001}),
        ("/v1/vehicles/truck-1/trips", {"limit": 0}),
        ("/v1/vehicles/truck-1/alerts", {"status": "pending"}),
        ("/v1/vehicles/truck-1/temperatures", {"from": "yesterday"}),
        ("/v1/vehicles/truck-1/temperatures", {"channel": "ABCDEFGHI"}),
        ("/v1/vehicles/bad id/stops", {}),
    ],
)
async def test_an_invalid_query_is_a_422_problem_and_never_reaches_tracking(
    gateway: tuple[httpx.AsyncClient, FakeTracking], path: str, params: dict[str, Any]
) -> None:
    client, tracking = gateway
    response = await client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert tracking.requests == []


def without_nulls(value: Any) -> Any:
    """FastAPI renders the OpenAPI document with exclude_none, nulls in examples included."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


async def test_the_openapi_document_shows_an_example_for_every_read(make_app: AppFactory) -> None:
    paths = make_app().openapi()["paths"]
    for kind in ("positions", "temperatures", "trips", "stops", "excursions", "alerts"):
        ok = paths[f"/v1/vehicles/{{vehicle_id}}/{kind}"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["example"] == without_nulls(READ_EXAMPLES[kind])
    assert (
        paths["/v1/vehicles"]["get"]["responses"]["200"]["content"]["application/json"]["example"]["count"]
        == 1
    )


async def test_a_state_the_gateway_holds_is_answered_without_asking_tracking(
    make_app: AppFactory,
) -> None:
    app = make_app()
    tracking = FakeTracking()
    app.state.tracking = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking.handle), base_url="http://t"
    )
    body = b'{"vehicle_id":"truck-7","device_time":"2026-11-26T09:00:00+00:00","latitude":37.5}'

    class Record:
        topic, partition, offset, headers = "tracking.vehicle-state.v1", 0, 0, ()
        key, value = b"truck-7", body

    app.state.live_states.apply([Record()])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=AUTH
    ) as client:
        held = await client.get("/v1/vehicles/truck-7/state")
        other = await client.get("/v1/vehicles/truck-8/state")
    assert (held.status_code, held.content) == (200, body)
    assert [r.url.path for r in tracking.requests] == ["/v1/vehicles/truck-8/state"], (
        "only the unknown one is asked"
    )
    assert other.status_code == tracking.answer[0]
    await app.state.tracking.aclose()
