"""A hostile crowd against a Teltonika server, then one good device (issue 14, item 4).

`storm` opens and drops `connections` TCP connections, spread over `addresses` local
source addresses (127.0.1.x: each stays within the per-address connect burst, so every
connection reaches the protocol code instead of the cheapest refusal). Each does one of
`KINDS`: close at once, reset at once (SO_LINGER 0), random bytes, a truncated IMEI, an
unknown IMEI, or the known IMEI followed by a truncated, a random or an oversized frame.
Afterwards a good device (from 127.0.0.1) sends one valid packet and must get its record
count back. The storm's sessions use another known IMEI (`storm_imei`), so the
good device's own packet rate is its own. The process's RSS is sampled throughout (`/proc/self/status`), so run the
server in the same process (the component test and `bench/teltonika_storm.py` do).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coldchain_devtools.teltonika.encode import handshake, packet
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, GpsElement, IoElement

KINDS = (
    "close",
    "reset",
    "random_bytes",
    "truncated_imei",
    "unknown_imei",
    "truncated_frame",
    "random_frame",
    "oversized_frame",
)


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def good_record(at_ms: int) -> AvlRecord:
    gps = GpsElement(
        longitude=127.0276, latitude=37.4979, altitude_m=30, angle=90, satellites=9, speed_kmh=38
    )
    io = (IoElement(239, 1, 1),)
    return AvlRecord(at_ms, 0, gps, 0, len(io), io)


@dataclass
class StormReport:
    connections: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    connect_errors: int = 0
    seconds: float = 0.0
    rss_start: int = 0
    rss_peak: int = 0
    rss_end: int = 0
    good_device_acknowledged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "kinds": dict(self.kinds),
            "connect_errors": self.connect_errors,
            "seconds": round(self.seconds, 2),
            "connections_per_s": round(self.connections / self.seconds, 1) if self.seconds else None,
            "rss_start_mb": round(self.rss_start / 2**20, 1),
            "rss_peak_mb": round(self.rss_peak / 2**20, 1),
            "rss_end_mb": round(self.rss_end / 2**20, 1),
            "good_device_acknowledged": self.good_device_acknowledged,
        }


async def _one(port: int, index: int, kind: str, imei: str, rng: random.Random, addresses: int) -> None:
    source = f"127.0.1.{index % addresses + 1}"
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        if kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif kind == "random_bytes":
            writer.write(rng.randbytes(rng.randint(1, 2048)))
        elif kind == "truncated_imei":
            writer.write(handshake(imei)[: rng.randint(1, 10)])
        elif kind == "unknown_imei":
            writer.write(handshake(f"{rng.randrange(10**14, 10**15)}"))
        elif kind in ("truncated_frame", "random_frame", "oversized_frame"):
            writer.write(handshake(imei))
            with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError):
                await asyncio.wait_for(reader.readexactly(1), 5)
            frame = packet([good_record(1_700_000_000_000 + index)])
            if kind == "truncated_frame":
                writer.write(frame[: rng.randint(1, len(frame) - 1)])
            elif kind == "random_frame":
                body = rng.randbytes(rng.randint(1, 512))
                writer.write(b"\x00\x00\x00\x00" + len(body).to_bytes(4, "big") + body + b"\x00\x00\x00\x00")
            else:
                writer.write(b"\x00\x00\x00\x00" + (2**31 - 1).to_bytes(4, "big") + rng.randbytes(64))
        with contextlib.suppress(ConnectionError):
            await writer.drain()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def storm(
    port: int,
    imei: str,
    storm_imei: str,
    connections: int,
    *,
    concurrency: int = 200,
    addresses: int = 100,
    seed: int = 14,
) -> StormReport:
    report = StormReport(rss_start=rss_bytes())
    report.rss_peak = report.rss_start
    rng = random.Random(seed)  # noqa: S311 - reproducible garbage, not secrets
    gate = asyncio.Semaphore(concurrency)
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            report.rss_peak = max(report.rss_peak, rss_bytes())
            await asyncio.sleep(0.1)

    async def one(index: int) -> None:
        kind = KINDS[index % len(KINDS)]
        async with gate:
            try:
                await _one(port, index, kind, storm_imei, rng, addresses)
                report.kinds[kind] += 1
            except OSError:
                report.connect_errors += 1
            report.connections += 1

    sampler = asyncio.create_task(sample())
    began = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(connections)))
    report.seconds = time.monotonic() - began
    done.set()
    await sampler
    report.good_device_acknowledged = await good_device(port, imei)
    report.rss_end = rss_bytes()
    return report


async def good_device(port: int, imei: str) -> int:
    """One valid packet from a known device; the record count the server acknowledged."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(handshake(imei))
        if await asyncio.wait_for(reader.readexactly(1), 10) != b"\x01":
            return 0
        writer.write(packet([good_record(int(time.time() * 1000))]))
        return int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 10), "big")
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
