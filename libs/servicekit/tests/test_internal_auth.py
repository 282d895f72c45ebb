"""The service credential of internal APIs: a call without it is a 401 problem before any
route runs; probes and metrics stay open; a service cannot start without a token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from coldchain_servicekit.http import service_app
from coldchain_servicekit.internal_auth import MissingInternalToken, internal_headers, required_token

pytestmark = pytest.mark.unit
TOKEN = "a-test-service-credential"  # pragma: allowlist secret


@asynccontextmanager
async def nothing(_app: FastAPI) -> AsyncIterator[None]:
    yield


def app() -> FastAPI:
    built = service_app(title="t", lifespan=nothing, checks={}, readiness_timeout_s=1, internal_token=TOKEN)

    @built.put("/v1/geofences/{geofence_id}")
    async def write(geofence_id: str) -> dict[str, str]:
        return {"written": geofence_id}

    return built


async def call(headers: dict[str, str], path: str = "/v1/geofences/x") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        if path.startswith("/v1/"):
            return await client.put(path, headers=headers)
        return await client.get(path, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"X-API-Key": TOKEN}],
    ids=["none", "wrong", "not-bearer", "other-header"],
)
async def test_a_call_without_the_credential_is_a_401_problem(headers: dict[str, str]) -> None:
    response = await call(headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["instance"] == "/v1/geofences/x"
    assert "x-request-id" in response.headers, "refused inside the request context: logged and counted"


async def test_the_credential_opens_the_api() -> None:
    response = await call(internal_headers(SecretStr(TOKEN)))
    assert (response.status_code, response.json()) == (200, {"written": "x"})


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_probes_and_metrics_stay_open(path: str) -> None:
    assert (await call({}, path)).status_code == 200


@pytest.mark.parametrize("token", [None, SecretStr(""), SecretStr("short")])
def test_a_service_cannot_start_without_a_real_token(token: SecretStr | None) -> None:
    with pytest.raises(MissingInternalToken, match="COLDCHAIN_INTERNAL_TOKEN"):
        required_token(token)
