"""After an upstream 500 the next pooled request was a 503: uvicorn closes a keep-alive
connection after an exception escaped the app, late (after logging it), so the gateway's
next request on that connection died unanswered. Reproduced on a real uvicorn upstream."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, HTTPException

from coldchain_gateway.upstream import forward
from coldchain_servicekit.http import service_app

pytestmark = pytest.mark.component


async def late_closing_upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers /boom with a 500 and then raises after a pause, as an app whose error
    handler answers and re-raises does: uvicorn closes the connection only then, while the
    next request on it (slower than the pause) is still being answered."""
    assert scope["type"] == "http"
    status = 500 if scope["path"] == "/boom" else 200
    if status == 200:
        await asyncio.sleep(0.3)
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})
    if status == 500:
        await asyncio.sleep(0.1)
        raise RuntimeError("escaped after the answer")


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def status_of(client: httpx.AsyncClient, path: str) -> int:
    try:
        return (await forward(client, "tracking", "GET", path)).status_code
    except HTTPException as exc:
        return exc.status_code


async def test_the_request_after_an_upstream_500_is_answered() -> None:
    async with serving(late_closing_upstream) as url, httpx.AsyncClient(base_url=url) as client:
        for _ in range(3):
            assert await status_of(client, "/boom") == 502
            assert await status_of(client, "/ok") == 200, "a fresh connection, not a 503"


@asynccontextmanager
async def nothing(_app: FastAPI) -> AsyncIterator[None]:
    yield


async def test_a_service_answers_an_unhandled_error_without_dropping_the_connection() -> None:
    """The services' own side: the 500 problem is answered and the exception goes no
    further, so uvicorn keeps the connection open for the next request."""
    app = service_app(title="t", lifespan=nothing, checks={}, readiness_timeout_s=1)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        failed = await client.get("/boom")
        assert failed.status_code == 500
        assert failed.headers["content-type"] == "application/problem+json"
        assert failed.headers.get("connection") != "close"
        assert (await client.get("/ok")).status_code == 200
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as direct:
        assert (await direct.get("/boom")).status_code == 500, "the exception does not escape the app"
