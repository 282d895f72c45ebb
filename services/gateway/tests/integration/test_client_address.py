"""Per-IP limits count the real peer: a forged X-Forwarded-For does not buy new buckets.

The attack run found 30 logins with rotating X-Forwarded-For headers from 127.0.0.1 none
limited, because uvicorn rewrote the client address from that header for local peers. The
gateway here runs under a real uvicorn server built by `servicekit.serve`, as in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from coldchain_devtools.testing import free_port
from coldchain_servicekit.serve import server_config

from .conftest import OpenGateway

pytestmark = pytest.mark.integration


@asynccontextmanager
async def served(open_gateway: OpenGateway, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    async with open_gateway(**overrides) as gw:
        port = free_port()
        server = uvicorn.Server(server_config(gw.app, "127.0.0.1", port, lifespan="off"))
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
                await asyncio.sleep(0.01)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                yield client
        finally:
            server.should_exit = True
            await task


async def logins(client: httpx.AsyncClient, count: int) -> list[int]:
    codes = []
    for i in range(count):
        wrong = "wrong password!"  # pragma: allowlist secret
        form = {"grant_type": "password", "username": f"nobody-{i}", "password": wrong}
        headers = {"X-Forwarded-For": f"203.0.113.{i + 1}"}
        codes.append((await client.post("/v1/auth/token", data=form, headers=headers)).status_code)
    return codes


async def test_rotating_forwarded_for_headers_do_not_escape_the_per_ip_login_limit(
    open_gateway: OpenGateway,
) -> None:
    async with served(open_gateway, rate_login_ip="20/3600s") as client:
        codes = await logins(client, 30)
    assert codes[:20] == [400] * 20
    assert codes[20:] == [429] * 10


async def test_a_configured_proxy_may_name_the_client(open_gateway: OpenGateway) -> None:
    async with served(open_gateway, rate_login_ip="20/3600s", trusted_proxies=["127.0.0.1/32"]) as client:
        codes = await logins(client, 30)
    assert codes == [400] * 30, "each forwarded client has its own bucket behind a trusted proxy"
