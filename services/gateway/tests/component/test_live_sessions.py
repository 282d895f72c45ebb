"""The live endpoint re-checks credentials while a connection is open, caps connections per
principal, rate-limits connection attempts, and leaves no pending task behind."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
import uvicorn
from fastapi import FastAPI, WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from coldchain_devtools.testing import free_port
from coldchain_gateway.live.endpoint import (
    CLOSE_TOO_MANY,
    CLOSE_UNAUTHENTICATED,
    AdmitAuth,
    Close,
    LiveLimits,
    LivePrincipal,
    live_router,
)
from coldchain_gateway.live.hub import LiveHub

pytestmark = pytest.mark.component


@dataclass(frozen=True)
class Viewer:
    subject: str
    permissions: frozenset[str] = frozenset({"vehicles:read"})
    expires_at: datetime | None = None


class Tokens:
    """token -> subject; a token removed is revoked."""

    def __init__(self) -> None:
        self.valid: dict[str, str] = {}
        self.checked: list[str] = []

    async def authenticate(self, token: str) -> LivePrincipal | None:
        self.checked.append(token)
        subject = self.valid.get(token)
        return Viewer(subject) if subject is not None else None


@dataclass
class Server:
    hub: LiveHub
    tokens: Tokens
    url: str


ServerFactory = Callable[..., "asyncio.Future[Server]"]


@pytest.fixture
async def start() -> AsyncIterator[Callable[..., object]]:
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start_(limits: LiveLimits, admit: AdmitAuth | None = None) -> Server:
        hub, tokens, app = LiveHub(), Tokens(), FastAPI()
        if admit is None:
            app.include_router(live_router(hub, tokens.authenticate, limits))
        else:
            app.include_router(live_router(hub, tokens.authenticate, limits, admit))
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
        uv = uvicorn.Server(config)
        servers.append((uv, asyncio.create_task(uv.serve())))
        while not uv.started:  # noqa: ASYNC110 - uvicorn offers no started event
            await asyncio.sleep(0.01)
        return Server(hub, tokens, f"ws://127.0.0.1:{port}/v1/live")

    yield start_
    for uv, task in servers:
        uv.should_exit = True
        await task


LIMITS = LiveLimits(auth_timeout_s=2.0, queue_max=8, send_timeout_s=2.0, recheck_s=30.0)


async def opened(url: str, token: str) -> ClientConnection:
    ws = await connect(url)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"
    await ws.send(json.dumps({"type": "subscribe", "channels": ["vehicle_state"]}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "subscribed"
    return ws


async def closed_with(ws: ClientConnection, timeout_s: float = 5.0) -> tuple[int | None, str | None]:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout_s)
    except ConnectionClosed:
        return ws.close_code, ws.close_reason


async def test_a_revocation_through_this_replica_closes_the_socket_at_once(start: ServerFactory) -> None:
    server = await start(LIMITS)  # re-check interval 30 s: only the hub's signal can be this fast
    server.tokens.valid = {"key-1": "integration-1", "key-2": "integration-2"}
    revoked, kept = await opened(server.url, "key-1"), await opened(server.url, "key-2")
    del server.tokens.valid["key-1"]
    server.hub.recheck_all()
    assert await closed_with(revoked, timeout_s=3) == (CLOSE_UNAUTHENTICATED, "credentials revoked")
    await kept.ping()
    assert len(server.hub) == 1
    await kept.close()


async def test_a_revocation_elsewhere_closes_the_socket_within_the_recheck_interval(
    start: ServerFactory,
) -> None:
    server = await start(LiveLimits(auth_timeout_s=2.0, queue_max=8, recheck_s=0.2))
    server.tokens.valid = {"session": "user-1"}
    ws = await opened(server.url, "session")
    del server.tokens.valid["session"]  # as another replica's logout: no signal here
    assert await closed_with(ws, timeout_s=3) == (CLOSE_UNAUTHENTICATED, "credentials revoked")


async def test_connections_per_principal_are_capped(start: ServerFactory) -> None:
    server = await start(LiveLimits(auth_timeout_s=2.0, queue_max=8, max_per_principal=2))
    server.tokens.valid = {"a": "viewer", "b": "viewer", "other": "someone-else"}
    first, second = await opened(server.url, "a"), await opened(server.url, "b")
    third = await connect(server.url)
    await third.send(json.dumps({"type": "auth", "token": "a"}))
    assert await closed_with(third) == (CLOSE_TOO_MANY, "too many connections for this principal")
    other = await opened(server.url, "other")  # the cap is per principal
    await first.close()
    while server.hub.connections_of("viewer") > 1:  # noqa: ASYNC110 - the server notices the close
        await asyncio.sleep(0.01)
    again = await opened(server.url, "a")
    for ws in (second, other, again):
        await ws.close()


async def test_connection_attempts_over_the_rate_are_refused_before_the_token_is_checked(
    start: ServerFactory,
) -> None:
    attempts = 0

    async def three_per_window(_ws: WebSocket) -> Close | None:
        nonlocal attempts
        attempts += 1
        return (CLOSE_TOO_MANY, "too many connection attempts") if attempts > 3 else None

    server = await start(LIMITS, three_per_window)
    codes = []
    for i in range(5):
        ws = await connect(server.url)
        with contextlib.suppress(ConnectionClosed):  # a refused one may be closed already
            await ws.send(json.dumps({"type": "auth", "token": f"guess-{i}"}))
        codes.append((await closed_with(ws))[0])
    assert codes == [CLOSE_UNAUTHENTICATED] * 3 + [CLOSE_TOO_MANY] * 2
    assert server.tokens.checked == ["guess-0", "guess-1", "guess-2"]


async def test_closing_300_sockets_leaves_no_pending_task_destroyed(
    start: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start(LIMITS)
    server.tokens.valid = {f"t{i}": f"viewer-{i}" for i in range(300)}
    sockets = [await opened(server.url, f"t{i}") for i in range(300)]
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        await asyncio.gather(*(ws.close() for ws in sockets))
        while len(server.hub):  # noqa: ASYNC110 - the server notices each close
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        gc.collect()
        await asyncio.sleep(0)
    destroyed = [r for r in caplog.records if "destroyed but it is pending" in r.getMessage()]
    assert destroyed == []
