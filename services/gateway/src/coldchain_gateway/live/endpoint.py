"""`GET /v1/live`: the WebSocket endpoint.

Protocol (JSON text frames):
1. The client's first message is `{"type": "auth", "token": "<access token>"}` within
   the auth timeout; the token never travels in the URL, so it never lands in access logs.
   The server answers `{"type": "ready"}`.
2. `{"type": "subscribe", "channels": [...], "vehicles": [...]?, "bbox": {...}?}` sets (or
   replaces) the filter; answered by `{"type": "subscribed", "channels": [...]}`.
3. Matching items arrive as `{"type": "event", "channel": ..., "key": ..., "data": {...}}`,
   `data` being the Kafka message as published (see the contracts).
Close codes: 4401 not authenticated or token expired, 4008 too slow (the client's queue
overflowed), 1011 server error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from coldchain_gateway.live.hub import LiveClient, LiveHub
from coldchain_gateway.live.subscription import CHANNEL_PERMISSION, Subscribe

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4008


class LivePrincipal(Protocol):
    @property
    def subject(self) -> str: ...

    @property
    def permissions(self) -> frozenset[str]: ...

    @property
    def expires_at(self) -> datetime | None: ...


Authenticator = Callable[[str], Awaitable[LivePrincipal | None]]


async def _authenticate(ws: WebSocket, authenticate: Authenticator, timeout_s: float) -> LivePrincipal | None:
    try:
        first = await asyncio.wait_for(ws.receive_text(), timeout_s)
        message = json.loads(first)
    except (TimeoutError, ValueError):
        return None
    if (
        not isinstance(message, dict)
        or message.get("type") != "auth"
        or not isinstance(message.get("token"), str)
    ):
        return None
    return await authenticate(message["token"])


def _subscription_error(sub: Subscribe, principal: LivePrincipal) -> str | None:
    missing = sorted(c.value for c in sub.channels if CHANNEL_PERMISSION[c] not in principal.permissions)
    return f"not permitted: {', '.join(missing)}" if missing else None


async def _receive(ws: WebSocket, client: LiveClient, principal: LivePrincipal) -> None:
    while True:
        text = await ws.receive_text()
        try:
            sub = Subscribe.model_validate_json(text)
        except ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            await ws.send_json({"type": "error", "detail": "invalid subscribe message", "errors": errors})
            continue
        problem = _subscription_error(sub, principal)
        if problem is not None:
            await ws.send_json({"type": "error", "detail": problem})
            continue
        client.subscription = sub
        await ws.send_json({"type": "subscribed", "channels": sorted(c.value for c in sub.channels)})


async def _send(ws: WebSocket, client: LiveClient, send_timeout_s: float) -> tuple[int, str]:
    """Forward queued items until the client falls behind.

    Behind means its queue overflowed, or one frame could not be written within the send
    timeout (its TCP window stayed closed): either way the send is abandoned, not awaited.
    """
    overflow = asyncio.ensure_future(client.overflowed.wait())
    try:
        while True:
            get = asyncio.ensure_future(client.queue.get())
            if not await _first(get, overflow, timeout_s=None):
                return CLOSE_TOO_SLOW, "client too slow"
            send = asyncio.ensure_future(ws.send_text(get.result().text))
            if not await _first(send, overflow, timeout_s=send_timeout_s):
                return CLOSE_TOO_SLOW, "client too slow"
            send.result()
    finally:
        overflow.cancel()


async def _first(work: asyncio.Future[Any], overflow: asyncio.Future[Any], timeout_s: float | None) -> bool:
    """Whether `work` finished before the overflow signal and the timeout (else it is cancelled)."""
    done, _ = await asyncio.wait({work, overflow}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    if work in done:
        return True
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await work
    return False


async def _expiry(principal: LivePrincipal) -> tuple[int, str]:
    if principal.expires_at is None:
        await asyncio.Event().wait()
    else:
        await asyncio.sleep(max(0.0, (principal.expires_at - datetime.now(UTC)).total_seconds()))
    return CLOSE_UNAUTHENTICATED, "token expired"


async def serve_client(
    ws: WebSocket,
    hub: LiveHub,
    authenticate: Authenticator,
    *,
    auth_timeout_s: float,
    queue_max: int,
    send_timeout_s: float = 10.0,
) -> None:
    await ws.accept()
    principal = await _authenticate(ws, authenticate, auth_timeout_s)
    if principal is None:
        await ws.close(CLOSE_UNAUTHENTICATED, "authentication required")
        return
    await ws.send_json({"type": "ready", "subject": principal.subject})
    client = hub.connect(queue_max)
    receiving = asyncio.ensure_future(_receive(ws, client, principal))
    closers = [
        asyncio.ensure_future(_send(ws, client, send_timeout_s)),
        asyncio.ensure_future(_expiry(principal)),
    ]
    tasks: list[asyncio.Future[Any]] = [receiving, *closers]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finished = done.pop()
        error = finished.exception()
        if isinstance(error, WebSocketDisconnect):
            return
        if error is not None:
            await ws.close(1011, "server error")
            raise error
        code, reason = closers[closers.index(finished)].result() if finished in closers else (1011, "")
        # A client that stopped reading may never take the close frame either: bounded wait,
        # after which returning ends the ASGI call and the server drops the connection.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code, reason), send_timeout_s)
    finally:
        hub.disconnect(client)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def live_router(
    hub: LiveHub,
    authenticate: Authenticator,
    *,
    auth_timeout_s: float,
    queue_max: int,
    send_timeout_s: float = 10.0,
) -> APIRouter:
    router = APIRouter()

    @router.websocket("/v1/live")
    async def live(ws: WebSocket) -> None:
        await serve_client(
            ws,
            hub,
            authenticate,
            auth_timeout_s=auth_timeout_s,
            queue_max=queue_max,
            send_timeout_s=send_timeout_s,
        )

    return router
