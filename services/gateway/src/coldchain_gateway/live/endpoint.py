"""`GET /v1/live`: the WebSocket endpoint.

Protocol (JSON text frames):
1. The client's first message is `{"type": "auth", "token": "<access token>"}` within
   the auth timeout; the token never travels in the URL, so it never lands in access logs.
   The server answers `{"type": "ready"}`.
2. `{"type": "subscribe", "channels": [...], "vehicles": [...]?, "bbox": {...}?}` sets (or
   replaces) the filter; answered by `{"type": "subscribed", "channels": [...]}`.
3. Matching items arrive as `{"type": "event", "channel": ..., "key": ..., "data": {...}}`,
   `data` being the Kafka message as published (see the contracts).
Close codes: 4401 not authenticated, token expired, or credentials revoked since (each
connection re-checks its credentials every `recheck_s`, and at once after a revocation
through this replica); 4429 too many authentication attempts from the address or too many
connections of the principal; 4008 too slow (the client's queue overflowed); 1013 the
credential store is unavailable (retry later); 1011 server error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from coldchain_gateway.live.hub import LiveClient, LiveHub
from coldchain_gateway.live.subscription import CHANNEL_PERMISSION, Subscribe
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4008
CLOSE_TOO_MANY = 4429
CLOSE_TRY_LATER = 1013
Close = tuple[int, str]


class LivePrincipal(Protocol):
    @property
    def subject(self) -> str: ...

    @property
    def permissions(self) -> frozenset[str]: ...

    @property
    def expires_at(self) -> datetime | None: ...


Authenticator = Callable[[str], Awaitable[LivePrincipal | None]]
AdmitAuth = Callable[[WebSocket], Awaitable[Close | None]]
"""Whether this connection may try to authenticate (a rate limit): None, or how to close."""


async def admit_all(_ws: WebSocket) -> Close | None:
    return None


@dataclass(frozen=True, slots=True)
class LiveLimits:
    auth_timeout_s: float
    queue_max: int
    send_timeout_s: float = 10.0
    recheck_s: float = 5.0
    max_per_principal: int | None = None


async def _token(ws: WebSocket, timeout_s: float) -> str | None:
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
    token: str = message["token"]
    return token


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
        with contextlib.suppress(asyncio.CancelledError):
            await overflow


async def _first(work: asyncio.Future[Any], overflow: asyncio.Future[Any], timeout_s: float | None) -> bool:
    """Whether `work` finished before the overflow signal and the timeout (else it is cancelled).

    `work` is cancelled and awaited on every way out, this task's own cancellation included:
    a task left pending when the connection ends is destroyed pending (and logged so)."""
    try:
        done, _ = await asyncio.wait({work, overflow}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
    return work in done and not work.cancelled()


async def _expiry(principal: LivePrincipal) -> Close:
    if principal.expires_at is None:
        await asyncio.Event().wait()
    else:
        await asyncio.sleep(max(0.0, (principal.expires_at - datetime.now(UTC)).total_seconds()))
    return CLOSE_UNAUTHENTICATED, "token expired"


async def _still_valid(token: str, authenticate: Authenticator, client: LiveClient, every_s: float) -> Close:
    """Re-authenticates every `every_s`, or at once when the hub says a credential was revoked.
    A store that is down is not a revocation: the check is retried at the next interval."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.recheck.wait(), every_s)
        client.recheck.clear()
        try:
            principal = await authenticate(token)
        except Exception as exc:  # noqa: BLE001 - Redis or PostgreSQL down; keep the session for now
            log.warning("live session re-check failed", error=repr(exc)[:300])
            continue
        if principal is None:
            return CLOSE_UNAUTHENTICATED, "credentials revoked"


async def _close(ws: WebSocket, close: Close, timeout_s: float) -> None:
    # A client that stopped reading may never take the close frame either: bounded wait,
    # after which returning ends the ASGI call and the server drops the connection.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(*close), timeout_s)


@dataclass(frozen=True, slots=True)
class _Admitted:
    token: str
    principal: LivePrincipal
    client: LiveClient


async def _admitted(
    ws: WebSocket, hub: LiveHub, authenticate: Authenticator, admit: AdmitAuth, limits: LiveLimits
) -> _Admitted | Close:
    refused = await admit(ws)  # before the token is looked at: guessing keys costs rate
    if refused is not None:
        return refused
    token = await _token(ws, limits.auth_timeout_s)
    if token is None:
        return CLOSE_UNAUTHENTICATED, "authentication required"
    try:
        principal = await authenticate(token)
    except Exception as exc:  # noqa: BLE001 - credential store down: the client retries later
        log.warning("live authentication unavailable", error=repr(exc)[:300])
        return CLOSE_TRY_LATER, "credential store unavailable"
    if principal is None:
        return CLOSE_UNAUTHENTICATED, "authentication required"
    client = hub.connect(limits.queue_max, principal.subject, limits.max_per_principal)
    if client is None:
        log.info("live connection refused: per-principal cap", subject=principal.subject)
        return CLOSE_TOO_MANY, "too many connections for this principal"
    return _Admitted(token, principal, client)


async def serve_client(
    ws: WebSocket,
    hub: LiveHub,
    authenticate: Authenticator,
    limits: LiveLimits,
    admit: AdmitAuth = admit_all,
) -> None:
    await ws.accept()
    admitted = await _admitted(ws, hub, authenticate, admit, limits)
    if not isinstance(admitted, _Admitted):
        await _close(ws, admitted, limits.send_timeout_s)
        return
    try:
        await _serve(ws, admitted, authenticate, limits)
    finally:
        hub.disconnect(admitted.client)


async def _serve(ws: WebSocket, admitted: _Admitted, authenticate: Authenticator, limits: LiveLimits) -> None:
    token, principal, client = admitted.token, admitted.principal, admitted.client
    await ws.send_json({"type": "ready", "subject": principal.subject})
    receiving = asyncio.ensure_future(_receive(ws, client, principal))
    closers = [
        asyncio.ensure_future(_send(ws, client, limits.send_timeout_s)),
        asyncio.ensure_future(_expiry(principal)),
        asyncio.ensure_future(_still_valid(token, authenticate, client, limits.recheck_s)),
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
        close = closers[closers.index(finished)].result() if finished in closers else (1011, "")
        await _close(ws, close, limits.send_timeout_s)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def live_router(
    hub: LiveHub, authenticate: Authenticator, limits: LiveLimits, admit: AdmitAuth = admit_all
) -> APIRouter:
    router = APIRouter()

    @router.websocket("/v1/live")
    async def live(ws: WebSocket) -> None:
        await serve_client(ws, hub, authenticate, limits, admit)

    return router
