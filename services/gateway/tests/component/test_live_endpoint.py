"""The live WebSocket endpoint on a real server socket, fed by the hub directly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from coldchain_devtools.testing import free_port
from coldchain_gateway.live.endpoint import (
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHENTICATED,
    LiveLimits,
    LivePrincipal,
    live_router,
)
from coldchain_gateway.live.hub import LiveHub
from coldchain_gateway.live.subscription import Channel, LiveItem

pytestmark = pytest.mark.component


@dataclass(frozen=True)
class Principal:
    subject: str
    permissions: frozenset[str]
    expires_at: datetime | None = None


TOKENS = {
    "viewer-token": Principal("viewer", frozenset({"vehicles:read"})),
    "expiring-token": Principal(
        "brief", frozenset({"vehicles:read"}), datetime.now(UTC) + timedelta(seconds=1)
    ),
}


async def authenticate(token: str) -> LivePrincipal | None:
    principal = TOKENS.get(token)
    if principal is not None and principal.subject == "brief":
        return Principal("brief", principal.permissions, datetime.now(UTC) + timedelta(seconds=0.5))
    return principal


@dataclass
class Server:
    hub: LiveHub
    url: str


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    hub = LiveHub()
    app = FastAPI()
    app.include_router(
        live_router(hub, authenticate, LiveLimits(auth_timeout_s=1.0, queue_max=8, send_timeout_s=2.0))
    )
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(uv.serve())
    while not uv.started:  # noqa: ASYNC110 - uvicorn offers no started event
        await asyncio.sleep(0.01)
    yield Server(hub, f"ws://127.0.0.1:{port}/v1/live")
    uv.should_exit = True
    await task


async def close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes; the close code it sent."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed:
        return ws.close_code


async def ready(url: str, token: str = "viewer-token", **kw: object) -> ClientConnection:
    ws = await connect(url, **kw)  # type: ignore[arg-type]
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(await ws.recv())["type"] == "ready"
    return ws


def state(vehicle: str, payload: str = "{}") -> LiveItem:
    text = f'{{"type":"event","channel":"vehicle_state","key":"{vehicle}","data":{payload}}}'
    return LiveItem(Channel.VEHICLE_STATE, vehicle, text, frozenset({vehicle}), (37.5, 127.0))


async def test_without_auth_message_the_connection_is_closed_4401(server: Server) -> None:
    async with connect(server.url) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_a_bad_token_is_closed_4401(server: Server) -> None:
    async with connect(server.url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "nope"}))
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_subscribed_client_receives_matching_items_only(server: Server) -> None:
    ws = await ready(server.url)
    await ws.send(json.dumps({"type": "subscribe", "channels": ["vehicle_state"], "vehicles": ["v1"]}))
    assert json.loads(await ws.recv()) == {"type": "subscribed", "channels": ["vehicle_state"]}
    server.hub.publish(state("v2"))
    server.hub.publish(state("v1", '{"speed_kmh":50}'))
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message == {"type": "event", "channel": "vehicle_state", "key": "v1", "data": {"speed_kmh": 50}}
    await ws.close()


async def test_a_channel_without_permission_is_refused_with_an_error_message(server: Server) -> None:
    ws = await ready(server.url)
    await ws.send(json.dumps({"type": "subscribe", "channels": ["orders", "vehicle_state"]}))
    reply = json.loads(await ws.recv())
    assert reply == {"type": "error", "detail": "not permitted: orders"}
    await ws.send(json.dumps({"type": "subscribe", "channels": ["nonsense"]}))
    reply = json.loads(await ws.recv())
    assert reply["type"] == "error"
    assert reply["errors"][0]["loc"][0] == "channels"
    await ws.close()


async def test_a_client_that_falls_behind_is_dropped_with_4008_and_others_stay(server: Server) -> None:
    slow = await ready(server.url)
    other = await ready(server.url)
    for ws, channel in ((slow, "vehicle_state"), (other, "alerts")):
        await ws.send(json.dumps({"type": "subscribe", "channels": [channel]}))
        assert json.loads(await ws.recv())["type"] == "subscribed"
    for i in range(20):  # a burst larger than the queue (8), faster than any socket
        server.hub.publish(state(f"v{i}"))
    assert await close_code(slow) == CLOSE_TOO_SLOW
    assert len(server.hub) == 1
    alert = LiveItem(Channel.ALERTS, "v1", '{"type":"event","channel":"alerts"}', frozenset({"v1"}))
    server.hub.publish(alert)
    assert json.loads(await asyncio.wait_for(other.recv(), 5))["channel"] == "alerts"
    await other.close()


async def test_a_client_whose_socket_stays_full_is_dropped_after_the_send_timeout(server: Server) -> None:
    # No permessage-deflate: a megabyte of padding must really fill the socket buffers.
    stuck = await ready(server.url, max_size=None, compression=None)
    await stuck.send(json.dumps({"type": "subscribe", "channels": ["vehicle_state"]}))
    assert json.loads(await stuck.recv())["type"] == "subscribed"
    stuck.transport.pause_reading()  # the client stops reading its socket: the TCP window closes
    megabyte = json.dumps({"pad": "x" * 1_000_000})
    deadline = asyncio.get_running_loop().time() + 20
    while len(server.hub) and asyncio.get_running_loop().time() < deadline:
        server.hub.publish(state("v1", megabyte))
        await asyncio.sleep(0.05)  # slower than the queue fills: only the send timeout can drop it
    assert len(server.hub) == 0, "the stuck client was never dropped"
    stuck.transport.resume_reading()
    assert await close_code(stuck) in {CLOSE_TOO_SLOW, 1006}


async def test_the_connection_closes_when_the_token_expires(server: Server) -> None:
    ws = await ready(server.url, token="expiring-token")
    assert await close_code(ws) == CLOSE_UNAUTHENTICATED
