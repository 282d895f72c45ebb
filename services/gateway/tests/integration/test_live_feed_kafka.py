"""The live feed on real Kafka: two gateway replicas each fan a state change out to their clients."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from websockets.asyncio.client import ClientConnection, connect

from coldchain_contracts import VehicleStateChanged
from coldchain_contracts.topics import VEHICLE_STATE
from coldchain_devtools.testing import Infra, free_port
from coldchain_gateway.live import feed
from coldchain_gateway.live.endpoint import LiveLimits, LivePrincipal, live_router
from coldchain_gateway.live.hub import LiveHub

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Viewer:
    subject: str = "viewer"
    permissions: frozenset[str] = frozenset({"vehicles:read"})
    expires_at: datetime | None = None


async def authenticate(token: str) -> LivePrincipal | None:
    return Viewer() if token == "t" else None


async def start_replica(stack: AsyncExitStack, bootstrap: str) -> str:
    hub = LiveHub()
    broker = KafkaBroker(bootstrap)
    feed.register(broker, hub, poll_timeout_ms=50)
    app = FastAPI()
    app.include_router(live_router(hub, authenticate, LiveLimits(auth_timeout_s=2, queue_max=100)))
    await broker.start()
    stack.push_async_callback(broker.stop)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        server.should_exit = True
        await task

    stack.push_async_callback(stop)
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
        await asyncio.sleep(0.01)
    return f"ws://127.0.0.1:{port}/v1/live"


@pytest.fixture
async def replicas(infra: Infra, kafka_topics: None) -> AsyncIterator[list[str]]:
    async with AsyncExitStack() as stack:
        yield [await start_replica(stack, infra.kafka) for _ in range(2)]


async def subscribed(url: str, vehicle: str) -> ClientConnection:
    ws = await connect(url)
    await ws.send(json.dumps({"type": "auth", "token": "t"}))
    assert json.loads(await ws.recv())["type"] == "ready"
    await ws.send(json.dumps({"type": "subscribe", "channels": ["vehicle_state"], "vehicles": [vehicle]}))
    assert json.loads(await ws.recv())["type"] == "subscribed"
    return ws


async def test_a_state_change_reaches_clients_of_every_replica_within_a_second(
    replicas: list[str], kafka_producer: AIOKafkaProducer
) -> None:
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    clients = [await subscribed(url, vehicle) for url in replicas]
    # The replicas read from the latest offset: give their consumers time to be assigned.
    await asyncio.sleep(3)
    now = datetime.now(UTC)
    state = VehicleStateChanged(
        vehicle_id=vehicle, device_id="d", device_time=now, received_at=now, latitude=37.5, longitude=127.0
    )
    sent = time.monotonic()
    await kafka_producer.send_and_wait(
        VEHICLE_STATE.name, state.model_dump_json().encode(), key=vehicle.encode()
    )
    for ws in clients:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["channel"] == "vehicle_state"
        assert message["data"]["vehicle_id"] == vehicle
        assert message["data"]["event_id"] == str(state.event_id)
    # A functional bound, not a benchmark: the feed must not batch or poll for seconds.
    assert time.monotonic() - sent < 1.0
    for ws in clients:
        await ws.close()
