"""The live feed on the real gateway (PostgreSQL, Redis): revoking an API key or logging out
closes open sockets; connection attempts are rate limited per IP; connections per principal
are capped."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from coldchain_devtools.testing import Infra, free_port
from coldchain_gateway.app import create_app
from coldchain_gateway.live.endpoint import CLOSE_TOO_MANY, CLOSE_UNAUTHENTICATED
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD

from .conftest import PASSWORD, gateway_settings

pytestmark = pytest.mark.integration


@dataclass
class LiveGateway:
    http: httpx.AsyncClient
    ws_url: str

    async def admin(self) -> dict[str, str]:
        return await self.login("admin", DEV_ADMIN_PASSWORD)

    async def login(self, username: str, password: str) -> dict[str, str]:
        response = await self.http.post(
            "/v1/auth/token", data={"grant_type": "password", "username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


OpenLive = Callable[..., AbstractAsyncContextManager[LiveGateway]]


@pytest.fixture
def open_live(infra: Infra, test_database: str, kafka_topics: None) -> OpenLive:
    @asynccontextmanager
    async def open_(**overrides: Any) -> AsyncIterator[LiveGateway]:
        app = create_app(gateway_settings(infra, test_database, **overrides))
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                yield LiveGateway(http, f"ws://127.0.0.1:{port}/v1/live")
        finally:
            server.should_exit = True
            await task

    return open_


async def streaming(url: str, token: str) -> ClientConnection:
    ws = await connect(url)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"
    await ws.send(json.dumps({"type": "subscribe", "channels": ["vehicle_state"]}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "subscribed"
    return ws


async def close_code(ws: ClientConnection, timeout_s: float = 5.0) -> int | None:
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), timeout_s)
    return ws.close_code


async def test_a_revoked_api_key_and_a_logged_out_user_stop_streaming(open_live: OpenLive) -> None:
    async with open_live(live_recheck_s=60) as gw:  # only the revocation itself can close them within 10 s
        admin = await gw.admin()
        created = await gw.http.post(
            "/v1/admin/api-keys", json={"name": "live", "permissions": ["vehicles:read"]}, headers=admin
        )
        key = created.json()
        user = await gw.http.post(
            "/v1/admin/users",
            json={"username": f"live-{key['id'][:8]}", "password": PASSWORD, "role": "viewer"},
            headers=admin,
        )
        viewer = await gw.login(user.json()["username"], PASSWORD)
        by_key = await streaming(gw.ws_url, key["token"])
        by_user = await streaming(gw.ws_url, viewer["Authorization"].removeprefix("Bearer "))

        assert (await gw.http.delete(f"/v1/admin/api-keys/{key['id']}", headers=admin)).status_code == 204
        assert await close_code(by_key, timeout_s=10) == CLOSE_UNAUTHENTICATED
        assert (await gw.http.post("/v1/auth/logout", headers=viewer)).status_code == 204
        assert await close_code(by_user, timeout_s=10) == CLOSE_UNAUTHENTICATED


async def test_live_connection_attempts_are_rate_limited_per_ip(open_live: OpenLive) -> None:
    async with open_live(rate_live_auth_ip="5/60s") as gw:
        codes = []
        for i in range(8):
            ws = await connect(gw.ws_url)
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"type": "auth", "token": f"cci_random-guess-{i}"}))
            codes.append(await close_code(ws))
        assert codes == [CLOSE_UNAUTHENTICATED] * 5 + [CLOSE_TOO_MANY] * 3


async def test_connections_of_one_principal_are_capped(open_live: OpenLive) -> None:
    async with open_live(live_max_connections_per_principal=3) as gw:
        token = (await gw.admin())["Authorization"].removeprefix("Bearer ")
        held = [await streaming(gw.ws_url, token) for _ in range(3)]
        refused = await connect(gw.ws_url)
        await refused.send(json.dumps({"type": "auth", "token": token}))
        assert await close_code(refused) == CLOSE_TOO_MANY
        for ws in held:
            await ws.close()
