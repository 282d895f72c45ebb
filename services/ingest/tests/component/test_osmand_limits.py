"""The OsmAnd port's limits over real sockets: caps, rates, slow clients, deep JSON.

The listener runs in its embedded uvicorn server with the guarded HTTP protocol, as in
the service; Kafka is a fake publish. Attack rows of issue 14: anyone could post for any
device (refused unless bound: test_osmand_listener), JSON nested 5,000 deep was a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import httpx
import pytest
from prometheus_client import REGISTRY

from coldchain_devtools.testing import free_port
from coldchain_ingest.protocols.limits import ConnectionSlots, Rate
from coldchain_ingest.protocols.osmand.connections import guarded_h11
from coldchain_ingest.protocols.osmand.devices import BindingDeviceOptions
from coldchain_ingest.protocols.osmand.listener import OsmAndListener, RequestLimits
from coldchain_ingest.protocols.osmand.server import EmbeddedServer
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.component
FIX = "/?id=123456&lat=37.5665&lon=126.9780"


class Bindings:
    def __init__(self) -> None:
        self.cache = {"123456": "truck-1", "654321": "truck-2"}


@dataclass
class Port:
    server: EmbeddedServer
    sent: list[Outgoing] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def raw(self, source: str | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        local = None if source is None else (source, 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", self.server.port, local_addr=local)
        self.writers.append(writer)
        return reader, writer

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@pytest.fixture
async def port(request: pytest.FixtureRequest) -> AsyncIterator[Port]:
    """Options by `@pytest.mark.parametrize("port", [{...}], indirect=True)`."""
    options: dict[str, object] = getattr(request, "param", {})
    sent: list[Outgoing] = []

    async def publish(messages: Sequence[Outgoing]) -> None:
        sent.extend(messages)

    limits = RequestLimits(
        per_address=options.get("per_address", Rate(0.0, 1)),  # type: ignore[arg-type]
        per_device=options.get("per_device", Rate(0.0, 1)),  # type: ignore[arg-type]
        body_timeout_s=0.3,
    )
    listener = OsmAndListener(
        publish, BindingDeviceOptions(Bindings(), accept_unknown=False), publish_timeout_s=1.0, limits=limits
    )
    slots = ConnectionSlots(int(options.get("total", 100)), int(options.get("per_ip", 100)))  # type: ignore[call-overload]
    server = EmbeddedServer(
        "osmand-test", listener, "127.0.0.1", free_port(), http=guarded_h11(slots, 0.3), keep_alive_s=5
    )
    await server.start()
    opened = Port(server, sent)
    try:
        yield opened
    finally:
        await opened.close()
        await server.stop()


async def closed_after(reader: asyncio.StreamReader, within_s: float = 5.0) -> bytes:
    """Everything the server sent before it closed the connection."""
    return await asyncio.wait_for(reader.read(), within_s)


@pytest.mark.parametrize("port", [{"per_address": Rate(per_s=0.01, burst=3)}], indirect=True)
async def test_an_address_over_its_rate_gets_429_with_retry_after(port: Port) -> None:
    async with httpx.AsyncClient(base_url=port.url, timeout=5) as http:
        statuses = [(await http.get(FIX + f"&timestamp={1700000000 + i}")).status_code for i in range(3)]
        over = await http.get(FIX)
    assert statuses == [200, 200, 200]
    assert over.status_code == 429
    assert over.headers["content-type"] == "application/problem+json"
    assert int(over.headers["retry-after"]) >= 1
    assert len(port.sent) == 3


@pytest.mark.parametrize("port", [{"per_device": Rate(per_s=0.01, burst=2)}], indirect=True)
async def test_a_device_over_its_rate_gets_429_and_other_devices_do_not(port: Port) -> None:
    async with httpx.AsyncClient(base_url=port.url, timeout=5) as http:
        first = [(await http.get(FIX)).status_code for _ in range(3)]
        other = await http.get("/?id=654321&lat=37.5&lon=127.0")
        unknown = [(await http.get(f"/?id=forged-{i}&lat=1&lon=1")).status_code for i in range(5)]
    assert first == [200, 200, 429]
    assert other.status_code == 200
    assert unknown == [400] * 5, "unknown devices are refused before they get a bucket"


@pytest.mark.parametrize("port", [{"total": 3, "per_ip": 3}], indirect=True)
async def test_past_the_connection_cap_a_connection_gets_503_and_is_closed(port: Port) -> None:
    before = (
        REGISTRY.get_sample_value("ingest_osmand_connections_refused_total", {"reason": "max_connections"})
        or 0
    )
    held = [await port.raw() for _ in range(3)]
    await asyncio.sleep(0.05)
    reader, _ = await port.raw()
    answer = await closed_after(reader)
    assert answer.startswith(b"HTTP/1.1 503 "), answer
    assert b"retry-after: 5" in answer
    assert (
        REGISTRY.get_sample_value("ingest_osmand_connections_refused_total", {"reason": "max_connections"})
        == before + 1
    )
    for _, writer in held:
        writer.close()
    await asyncio.sleep(0.05)
    async with httpx.AsyncClient(base_url=port.url, timeout=5) as http:
        assert (await http.get(FIX)).status_code == 200, "slots are given back"


@pytest.mark.parametrize("port", [{"total": 10, "per_ip": 2}], indirect=True)
async def test_one_address_cannot_take_every_connection(port: Port) -> None:
    held = [await port.raw() for _ in range(2)]
    await asyncio.sleep(0.05)
    reader, _ = await port.raw()
    assert (await closed_after(reader)).startswith(b"HTTP/1.1 503 ")
    reader, writer = await port.raw(source="127.0.0.2")
    writer.write(f"GET {FIX} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 200")
    assert len(held) == 2


async def test_a_connection_that_never_sends_a_request_is_closed(port: Port) -> None:
    before = REGISTRY.get_sample_value("ingest_osmand_slow_clients_total") or 0
    reader, _ = await port.raw()
    assert await closed_after(reader) == b""
    assert REGISTRY.get_sample_value("ingest_osmand_slow_clients_total") == before + 1


async def test_headers_that_trickle_in_are_cut_off(port: Port) -> None:
    reader, writer = await port.raw()
    for chunk in (b"GET / HTTP/1.1\r\n", b"host: x\r\n", b"x-a: 1\r\n", b"x-b: 2\r\n"):
        writer.write(chunk)
        await asyncio.sleep(0.1)
    assert await closed_after(reader) == b""


async def test_a_second_request_on_a_kept_alive_connection_has_its_own_deadline(port: Port) -> None:
    reader, writer = await port.raw()
    writer.write(f"GET {FIX} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 200")
    writer.write(b"GET / HTTP/1.1\r\n")  # and never the rest
    rest = await closed_after(reader)
    assert b"HTTP/1.1" not in rest.split(b"\r\n\r\n", 1)[-1], "no second response"


async def test_a_body_that_never_completes_is_408(port: Port) -> None:
    reader, writer = await port.raw()
    writer.write(
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n"
        b"content-length: 100\r\n\r\nid=123456"
    )
    answer = await closed_after(reader)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert port.sent == []


async def test_json_nested_5000_deep_is_a_400_problem_not_a_500(port: Port) -> None:
    deep = '{"device_id": "123456", "location": ' + "[" * 5000 + "]" * 5000 + "}"
    async with httpx.AsyncClient(base_url=port.url, timeout=5) as http:
        response = await http.post("/", content=deep, headers={"content-type": "application/json"})
        still_up = await http.get(FIX)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Invalid JSON"
    assert still_up.status_code == 200


async def test_an_oversized_header_is_refused_by_the_protocol(port: Port) -> None:
    reader, writer = await port.raw()
    writer.write(b"GET / HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 20_000 + b"\r\n\r\n")
    answer = await closed_after(reader)
    assert answer.startswith(b"HTTP/1.1 4"), answer[:80]
    assert port.sent == []
