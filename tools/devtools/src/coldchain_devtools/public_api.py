"""The product's own doors for end-to-end tests: one client over the gateway's public API.

An admin registers vehicles, a dispatcher (a user the admin creates) writes sites, places
orders and requests plans, and the dev integration key posts telemetry, exactly as the
people and devices of `docs/api.md` would. Tests that need the system in some state build
it through here rather than by writing reference topics.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from coldchain_devtools.testing import dev_admin_headers, dev_key_headers, eventually


@dataclass
class Gateway:
    http: httpx.AsyncClient
    admin: dict[str, str]
    dispatcher: dict[str, str]
    device: dict[str, str]

    async def ok(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        """The JSON body of a successful call; any 4xx/5xx fails the test with its problem."""
        response = await self.http.request(method, path, headers=headers, **kw)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def site(
        self, site_id: str, lat: float, lon: float, role: str = "both", radius_m: int = 200
    ) -> None:
        body = {
            "name": site_id,
            "latitude": lat,
            "longitude": lon,
            "role": role,
            "geofence_radius_m": radius_m,
        }
        await self.ok("PUT", f"/v1/sites/{site_id}", self.dispatcher, json=body)

    async def vehicle(self, vehicle_id: str, body: dict[str, Any]) -> None:
        """Register (or replace) a vehicle as an admin: `PUT /v1/fleet/vehicles/{id}`."""
        await self.ok("PUT", f"/v1/fleet/vehicles/{vehicle_id}", self.admin, json=body)

    async def order(self, body: dict[str, Any]) -> str:
        """Place an order and wait until the orders service has projected it."""
        placed = await self.ok("POST", "/v1/orders", self.dispatcher, json=body)
        order_id: str = placed["order_id"]
        await eventually(lambda: self.order_status(order_id, None), 90, 0.5)
        return order_id

    async def order_status(self, order_id: str, status: str | None) -> dict[str, Any] | None:
        """The order once it has `status` (any, if None); None before, and while its
        projection is not built (404)."""
        response = await self.http.get(f"/v1/orders/{order_id}", headers=self.dispatcher)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found if status in (None, found["status"]) else None

    async def plan(self, request: dict[str, Any], timeout_s: float = 240) -> dict[str, Any]:
        """Request a plan and wait for its record (done or failed)."""
        accepted = await self.ok("POST", "/v1/dispatch/plans", self.dispatcher, json=request)
        return await self.plan_record(accepted["status_url"], timeout_s)

    async def plan_record(self, status_url: str, timeout_s: float = 240) -> dict[str, Any]:
        async def made() -> dict[str, Any] | None:
            r = await self.http.get(status_url, headers=self.dispatcher)
            return r.json() if r.status_code == 200 else None

        found: dict[str, Any] = await eventually(made, timeout_s, 0.5)  # a loaded machine spawns slowly
        return found


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


@asynccontextmanager
async def gateway_client(gateway_url: str) -> AsyncIterator[Gateway]:
    """A client with the dev admin, a fresh dispatcher user and the dev integration key."""
    admin = await dev_admin_headers(gateway_url)
    name, password = f"disp-{uuid.uuid4().hex[:8]}", "a long passphrase 42"
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
        created = await http.post(
            "/v1/admin/users",
            headers=admin,
            json={"username": name, "password": password, "role": "dispatcher"},
        )
        assert created.status_code == 201, created.text
        login = await http.post(
            "/v1/auth/token", data={"grant_type": "password", "username": name, "password": password}
        )
        assert login.status_code == 200, login.text
        dispatcher = {"Authorization": f"Bearer {login.json()['access_token']}"}
        yield Gateway(http, admin, dispatcher, dev_key_headers())
