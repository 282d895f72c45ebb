"""The web console's doors on the gateway: the refresh token as an HttpOnly, SameSite=Strict
cookie (rotation and reuse detection as for the body flow), and the built console served at
`/` with its cache headers and content security policy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from coldchain_gateway.auth_routes import REFRESH_COOKIE

from .conftest import PASSWORD, Gateway, OpenGateway

pytestmark = pytest.mark.integration


@asynccontextmanager
async def browser(gateway: Gateway, base_url: str = "http://gateway") -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookie jar, as one browser would be."""
    transport = httpx.ASGITransport(app=gateway.app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def cookie_header(response: httpx.Response) -> str:
    [header] = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return header


async def console_login(client: httpx.AsyncClient, name: str) -> httpx.Response:
    form = {"grant_type": "password", "username": name, "password": PASSWORD, "refresh_cookie": "true"}
    return await client.post("/v1/auth/token", data=form)


async def test_console_login_puts_the_refresh_token_in_a_strict_httponly_cookie(gateway: Gateway) -> None:
    name, _ = await gateway.user("viewer")
    async with browser(gateway) as client:
        response = await console_login(client, name)
        assert response.status_code == 200, response.text
        assert "refresh_token" not in response.json(), "not readable by scripts"
        header = cookie_header(response).lower()
        assert header.startswith(f"{REFRESH_COOKIE}=ccr_")
        for attribute in ("httponly", "samesite=strict", "path=/v1/auth", "max-age="):
            assert attribute in header
        assert "secure" not in header.replace("samesite", ""), "plain http: no Secure flag"
    async with browser(gateway, "https://gateway") as client:
        header = cookie_header(await console_login(client, name)).lower()
        assert "; secure" in header, "over https the cookie is Secure"


async def test_cookie_refresh_rotates_and_a_replayed_cookie_revokes_the_session(gateway: Gateway) -> None:
    name, _ = await gateway.user("viewer")
    async with browser(gateway) as client:
        await console_login(client, name)
        first = client.cookies[REFRESH_COOKIE]
        refreshed = await client.post("/v1/auth/token", data={"grant_type": "refresh_token"})
        assert refreshed.status_code == 200, refreshed.text
        assert "refresh_token" not in refreshed.json()
        second = client.cookies[REFRESH_COOKIE]
        assert second != first, "rotated"
        access = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert (await client.get("/v1/auth/me", headers=access)).status_code == 200

    async with browser(gateway) as thief:
        thief.cookies.set(REFRESH_COOKIE, first)
        replay = await thief.post("/v1/auth/token", data={"grant_type": "refresh_token"})
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        assert "max-age=0" in cookie_header(replay).lower(), "the dead cookie is cleared"
    assert (await gateway.client.get("/v1/auth/me", headers=access)).status_code == 401, "family revoked"


async def test_console_logout_clears_the_cookie_and_ends_the_session(gateway: Gateway) -> None:
    name, _ = await gateway.user("dispatcher")
    async with browser(gateway) as client:
        login = await console_login(client, name)
        token = client.cookies[REFRESH_COOKIE]
        access = {"Authorization": f"Bearer {login.json()['access_token']}"}
        logout = await client.post("/v1/auth/logout", headers=access)
        assert logout.status_code == 204
        assert "max-age=0" in cookie_header(logout).lower()
        assert REFRESH_COOKIE not in client.cookies
    async with browser(gateway) as client:
        client.cookies.set(REFRESH_COOKIE, token)
        assert (await client.post("/v1/auth/token", data={"grant_type": "refresh_token"})).status_code == 400


async def test_a_refresh_without_token_or_cookie_is_an_invalid_request(gateway: Gateway) -> None:
    async with browser(gateway) as client:
        response = await client.post("/v1/auth/token", data={"grant_type": "refresh_token"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_the_built_console_is_served_at_the_root_with_cache_headers_and_a_csp(
    open_gateway: OpenGateway, tmp_path: Path
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    tiles = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    async with open_gateway(console_dir=tmp_path, console_tile_url=tiles) as gw:
        index = await gw.client.get("/")
        assert index.status_code == 200
        assert "console" in index.text
        assert index.headers["cache-control"] == "no-cache", "a new build is picked up at once"
        csp = index.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "unsafe" not in csp
        assert "img-src 'self' data: https://*.tiles.example.org;" in csp
        assert "connect-src 'self'" in csp
        assert index.headers["x-frame-options"] == "DENY"
        asset = await gw.client.get("/assets/index-abc123.js")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert (await gw.client.post("/")).status_code != 200, "only GET and HEAD reach the files"
        api = await gw.client.get("/v1/vehicles")
        assert api.status_code == 401, "the API stays the API"
        assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        config = await gw.client.get("/v1/console/config")
        assert config.status_code == 200
        assert config.json() == {
            "tile_url": tiles,
            "tile_attribution": "&copy; OpenStreetMap contributors",
            "time_zone": "Asia/Seoul",
        }
