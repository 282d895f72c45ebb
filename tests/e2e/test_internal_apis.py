"""The attack run wrote to internal APIs with no credential (`PUT :8002/v1/geofences/x`,
`POST :8003/v1/imports/orders?operator_id=other`). Now each of tracking, orders, dispatch
and ingest answers such a call with a 401 problem and changes nothing, while the same
data still flows through the gateway, which sends the service credential."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from coldchain_devtools.testing import RunningSystem, dev_admin_headers, internal_auth

pytestmark = pytest.mark.e2e
GEOFENCE = {"name": "intruder", "latitude": 37.5, "longitude": 127.0, "radius_m": 100}
SITE = {"name": "x", "latitude": 37.5, "longitude": 127.0}
ATTACKS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("tracking", "PUT", "/v1/geofences/attack-x", {"json": GEOFENCE}),
    ("tracking", "GET", "/v1/vehicles", {}),
    (
        "orders",
        "POST",
        "/v1/imports/sites?operator_id=other&format=csv",
        {"content": b"code,latitude,longitude\nATTACK,37.5,127\n"},
    ),
    ("orders", "PUT", "/v1/sites/ATTACK", {"json": SITE}),
    ("orders", "GET", "/v1/orders", {}),
    ("dispatch", "GET", "/v1/plans", {}),
    ("ingest", "GET", "/v1/devices", {}),
]


@pytest.mark.parametrize(
    ("service", "method", "path", "body"), ATTACKS, ids=[f"{a[0]} {a[1]} {a[2]}" for a in ATTACKS]
)
async def test_an_internal_api_refuses_a_call_without_the_service_credential(
    running_system: RunningSystem, service: str, method: str, path: str, body: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=running_system.url(service), timeout=10) as client:
        refused = await client.request(method, path, **body)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        forged = await client.request(method, path, headers={"Authorization": "Bearer guessed"}, **body)
        assert forged.status_code == 401
        assert (await client.get("/readyz")).status_code == 200, "probes stay open"


async def test_nothing_was_written_and_the_gateway_path_still_works(running_system: RunningSystem) -> None:
    async with httpx.AsyncClient(base_url=running_system.url("tracking"), timeout=10) as tracking:
        geofences = await tracking.get("/v1/geofences", headers=internal_auth())
        assert geofences.status_code == 200
        assert "attack-x" not in geofences.text
    async with httpx.AsyncClient(base_url=running_system.url("orders"), timeout=10) as orders:
        assert (await orders.get("/v1/sites/ATTACK", headers=internal_auth())).status_code == 404
    admin = await dev_admin_headers(running_system.url("gateway"))
    async with httpx.AsyncClient(base_url=running_system.url("gateway"), timeout=10, headers=admin) as gw:
        for path in ("/v1/sites", "/v1/orders", "/v1/dispatch/plans", "/v1/devices", "/v1/vehicles"):
            response = await gw.get(path)
            assert response.status_code == 200, (path, response.text)
