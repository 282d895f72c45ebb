"""A gateway on the real PostgreSQL and Redis (and Kafka, for telemetry), through ASGI.

Each app gets its own Redis key prefix, so rate-limit buckets and revoked sessions of
one test never reach another (Redis outlives test sessions)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from coldchain_devtools.testing import Infra
from coldchain_gateway.app import create_app
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, GatewaySettings

GENEROUS = "100000/60s"  # rate limits out of the way unless a test sets its own
PASSWORD = "correct horse battery staple"


def gateway_settings(infra: Infra, database_url: str, **overrides: Any) -> GatewaySettings:
    limits = {
        f"rate_{name}": GENEROUS
        for name in (
            "login_ip",
            "login_account",
            "ingest_principal",
            "ingest_ip",
            "read_principal",
            "read_ip",
            "write_principal",
            "write_ip",
        )
    }
    values: dict[str, Any] = {
        "dev_mode": True,
        "kafka_bootstrap_servers": infra.kafka,
        "database_url": database_url,
        "redis_url": infra.redis_url,
        "redis_key_prefix": f"gwtest-{uuid.uuid4().hex[:8]}:",
        **limits,
        **overrides,
    }
    return GatewaySettings(**values)


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient

    async def login(self, username: str, password: str) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/auth/token", data={"grant_type": "password", "username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def bearer(self, username: str = "admin", password: str = DEV_ADMIN_PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await self.login(username, password))['access_token']}"}

    async def user(self, role: str) -> tuple[str, dict[str, str]]:
        """A new user of `role`: (username, auth headers)."""
        name = f"{role}-{uuid.uuid4().hex[:8]}"
        response = await self.client.post(
            "/v1/admin/users",
            json={"username": name, "password": PASSWORD, "role": role},
            headers=await self.bearer(),
        )
        assert response.status_code == 201, response.text
        return name, await self.bearer(name, PASSWORD)

    async def credential(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(f"/v1/admin/{path}", json=body, headers=await self.bearer())
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


OpenGateway = Callable[..., AbstractAsyncContextManager[Gateway]]


@pytest.fixture(scope="session")
def open_gateway(infra: Infra, test_database: str, kafka_topics: None) -> OpenGateway:
    @asynccontextmanager
    async def open_(**overrides: Any) -> AsyncIterator[Gateway]:
        app = create_app(gateway_settings(infra, test_database, **overrides))
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                yield Gateway(app, client)

    return open_


@pytest.fixture(scope="module")
async def gateway(open_gateway: OpenGateway) -> AsyncIterator[Gateway]:
    async with open_gateway() as gw:
        yield gw
