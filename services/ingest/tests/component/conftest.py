"""Fakes for the device-port component tests: a registry, a Kafka publish, a running
Teltonika server on a real socket (port 0)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from coldchain_contracts import DeviceOptions
from coldchain_devtools.teltonika.encode import handshake
from coldchain_ingest.protocols.teltonika.config import TeltonikaConfig
from coldchain_ingest.protocols.teltonika.server import TeltonikaServer
from coldchain_servicekit.kafka import Outgoing

IMEI = "356307042441013"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@dataclass
class Registry:
    known: set[str] = field(default_factory=lambda: {IMEI})
    options: dict[str, DeviceOptions] = field(default_factory=dict)

    def is_known(self, device_id: str) -> bool:
        return device_id in self.known

    def options_for(self, device_id: str) -> DeviceOptions:
        return self.options.get(device_id, DeviceOptions())


@dataclass
class Kafka:
    published: list[Outgoing] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    fail: bool = False

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("Kafka unreachable")
        self.published.extend(messages)


@dataclass
class Running:
    server: TeltonikaServer
    registry: Registry
    kafka: Kafka
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def connect(self, source: str | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """`source`: a local address to connect from (any 127.x.y.z works on Linux)."""
        local = None if source is None else (source, 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", self.server.port, local_addr=local)
        self.writers.append(writer)
        return reader, writer

    async def stop(self) -> None:
        await self.server.stop()
        for writer in self.writers:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def session(
        self, imei: str = IMEI, source: str | None = None
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await self.connect(source)
        writer.write(handshake(imei))
        assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x01"
        return reader, writer


async def start(**overrides: Any) -> Running:
    """A server with a fake registry and Kafka; `overrides` are `TeltonikaConfig` fields."""
    registry, kafka = Registry(), Kafka()
    kafka.gate.set()
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "idle_timeout_s": 30.0,
        "publish_timeout_s": 2.0,
    }
    config = TeltonikaConfig(**(options | overrides))
    server = TeltonikaServer(config, registry, kafka.publish, clock=lambda: NOW)
    await server.start()
    return Running(server, registry, kafka)


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    r = await start()
    yield r
    await r.stop()
