"""Custom geofences over HTTP: validation as RFC 9457 problems, and the analysis sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from coldchain_servicekit.problems import install_problem_handlers
from coldchain_tracking import geofences_api
from coldchain_tracking.reference import GEOFENCES_KEY, ReferenceData

from .test_tracking_handlers import InMemoryRedis

pytestmark = pytest.mark.component
SQUARE = [[37.50, 127.00], [37.51, 127.00], [37.51, 127.01], [37.50, 127.01]]


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, ReferenceData, InMemoryRedis]]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(geofences_api.router)
    redis = InMemoryRedis()
    app.state.reference = ReferenceData(redis)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c, app.state.reference, redis


async def test_a_polygon_and_a_circle_are_stored_indexed_and_listed(
    client: tuple[httpx.AsyncClient, ReferenceData, InMemoryRedis],
) -> None:
    c, reference, redis = client
    assert (await c.put("/v1/geofences/yard", json={"name": "Yard", "polygon": SQUARE})).status_code == 200
    circle = {"circle": {"latitude": 35.1, "longitude": 129.0, "radius_m": 250}}
    assert (await c.put("/v1/geofences/port", json=circle)).status_code == 200
    listed = (await c.get("/v1/geofences")).json()
    assert [g["geofence_id"] for g in listed["geofences"]] == ["port", "yard"]
    assert set(redis.hashes[GEOFENCES_KEY]) == {"port", "yard"}
    assert [f.geofence_id for f in reference.index.near(37.505, 127.005)] == ["yard"]
    reloaded = ReferenceData(redis)  # type: ignore[arg-type]
    await reloaded.load()
    assert reloaded.geofences == reference.geofences


async def test_bad_shapes_are_problems_and_site_ids_are_refused(
    client: tuple[httpx.AsyncClient, ReferenceData, InMemoryRedis],
) -> None:
    c, _, _ = client
    both = {"polygon": SQUARE, "circle": {"latitude": 1, "longitude": 1, "radius_m": 5}}
    response = await c.put("/v1/geofences/x", json=both)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (await c.put("/v1/geofences/x", json={"polygon": SQUARE[:2]})).status_code == 422
    assert (await c.put("/v1/geofences/x", json={"polygon": [[95, 0], [0, 0], [0, 1]]})).status_code == 422
    assert (await c.put("/v1/geofences/site:s1", json={"polygon": SQUARE})).status_code == 422, "sites' own"


async def test_delete_removes_it_and_a_missing_one_is_404(
    client: tuple[httpx.AsyncClient, ReferenceData, InMemoryRedis],
) -> None:
    c, reference, _ = client
    await c.put("/v1/geofences/yard", json={"polygon": SQUARE})
    assert (await c.delete("/v1/geofences/yard")).status_code == 204
    assert reference.geofences == ()
    assert (await c.delete("/v1/geofences/yard")).status_code == 404
