"""The Teltonika TCP server: admission, handshake, AVL packets, acknowledgement after Kafka.

Conversation (Teltonika "communication with server"): the device sends its IMEI (2-byte
length + ASCII); the server answers 0x01 if the device is bound to a vehicle (or any
device, with `accept_unknown` for development), else 0x00 and closes. Then the device
sends AVL packets; the server answers each with the number of records it accepted (4
bytes, big-endian), and only once every record is on Kafka (`acks=all`, awaited). A
packet that fails its CRC or does not parse is logged, counted and not acknowledged, so
the device sends it again; a broken header (framing lost), a failed publish, or a
timeout closes the connection. Single 0xFF bytes between packets are keep-alive pings
some firmware sends; they are skipped.

Hardening (docs/device-protocols.md, "Limits"): a connection over the total or
per-address cap, or over the address's connection rate, is closed before a byte is read;
the IMEI must arrive within the handshake timeout, a started packet within the frame
timeout; one session per IMEI (the newest wins: a device that reconnects leaves its old,
often half-open, socket behind); packets of one device are paced by its token bucket
(the acknowledgement waits, which is how TCP devices are slowed without losing data).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from prometheus_client import Counter, Gauge

from coldchain_contracts import utcnow
from coldchain_ingest.protocols.limits import ConnectionSlots, TokenBuckets
from coldchain_ingest.protocols.teltonika.codec import (
    CRC_BYTES,
    HEADER_BYTES,
    MalformedFrame,
    data_length,
    imei_from,
)
from coldchain_ingest.protocols.teltonika.config import TeltonikaConfig
from coldchain_ingest.protocols.teltonika.session import ACCEPT, REJECT, ConnectionClosing, Publish, Session
from coldchain_ingest.registry import DeviceLookup
from coldchain_servicekit.logging import get_logger

PING = 0xFF
MAX_IMEI_BYTES = 64

log = get_logger(__name__)
CONNECTIONS = Gauge("ingest_teltonika_connections", "Open Teltonika TCP connections")
REFUSED = Counter(
    "ingest_teltonika_connections_refused_total", "Connections closed before the handshake", ["reason"]
)
HANDSHAKES = Counter("ingest_teltonika_handshakes_total", "IMEI handshakes", ["result"])
TIMEOUTS = Counter("ingest_teltonika_timeouts_total", "Connections closed by a timeout", ["phase"])
THROTTLED = Counter(
    "ingest_teltonika_packets_paced_total", "Packets whose acknowledgement waited for the device's rate"
)
SESSIONS_REPLACED = Counter(
    "ingest_teltonika_sessions_replaced_total", "Sessions closed because the same IMEI connected again"
)


class _Timeout(Exception):
    def __init__(self, phase: str) -> None:
        super().__init__(phase)
        self.phase = phase


class TeltonikaServer:
    def __init__(
        self,
        config: TeltonikaConfig,
        devices: DeviceLookup,
        publish: Publish,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._devices = devices
        self._publish = publish
        self._clock = clock
        self._monotonic = monotonic
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._slots = ConnectionSlots(config.max_connections, config.max_connections_per_address)
        self._connects = TokenBuckets(config.address_connects)
        self._packets = TokenBuckets(config.device_packets)
        self._sessions: dict[str, asyncio.Task[None]] = {}
        self._replaced: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The bound port (useful when configured as 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self._config.host, self._config.port, backlog=self._config.backlog
        )
        log.info("teltonika listening", host=self._config.host, port=self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) else str(peer)
        refusal = self._admit(address)
        if refusal is not None:
            REFUSED.labels(refusal).inc()
            writer.transport.abort()  # nothing read, nothing answered: the cheapest refusal
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        CONNECTIONS.inc()
        device_id: str | None = None
        try:
            device_id = await self._handshake(reader, writer, str(peer))
            if device_id is not None:
                self._claim(device_id, task)
                await self._converse(reader, writer, device_id)
        except _Timeout as exc:
            TIMEOUTS.labels(exc.phase).inc()
            log.info("teltonika connection timed out", peer=str(peer), phase=exc.phase, device_id=device_id)
        except (asyncio.IncompleteReadError, ConnectionError):
            log.info("teltonika connection closed by the device", peer=str(peer), device_id=device_id)
        except ConnectionClosing as exc:
            log.warning("teltonika connection closed", peer=str(peer), reason=str(exc), device_id=device_id)
        except asyncio.CancelledError:
            # A session replaced by a newer one of its IMEI ends here, quietly: left to
            # propagate, asyncio's stream callback logs each one as an unhandled error
            # (seen under `bench/teltonika_storm.py`). Server shutdown still propagates.
            if task not in self._replaced:
                raise
            task.uncancel()
        finally:
            self._replaced.discard(task)
            CONNECTIONS.dec()
            self._connections.discard(task)
            self._slots.release(address)
            if device_id is not None and self._sessions.get(device_id) is task:
                del self._sessions[device_id]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _admit(self, address: str) -> str | None:
        if not self._connects.allow(address, self._monotonic()):
            return "address_rate"
        return self._slots.admit(address)

    def _claim(self, device_id: str, task: asyncio.Task[None]) -> None:
        """One session per IMEI: the newest wins, the older one is closed unacknowledged."""
        previous = self._sessions.get(device_id)
        self._sessions[device_id] = task
        if previous is not None and previous is not task and not previous.done():
            SESSIONS_REPLACED.inc()
            log.info("teltonika session replaced by a newer one", device_id=device_id)
            self._replaced.add(previous)
            previous.cancel()

    async def _converse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, device_id: str
    ) -> None:
        session = Session(
            device_id, self._devices, self._publish, self._config, self._clock, self._pace, writer
        )
        while True:
            await session.handle(await self._next_frame(reader))

    async def _pace(self, device_id: str) -> None:
        """Wait for the device's next packet token (per IMEI, shared by its sessions)."""
        wait = self._packets.reserve_s(device_id, self._monotonic())
        if wait > 0:
            THROTTLED.inc()
            await asyncio.sleep(wait)

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> str | None:
        async with self._deadline(self._config.handshake_timeout_s, "handshake"):
            length = int.from_bytes(await reader.readexactly(2), "big")
            device_id: str | None = None
            if 0 < length <= MAX_IMEI_BYTES:
                try:
                    device_id = imei_from(await reader.readexactly(length))
                except MalformedFrame:
                    device_id = None
        accepted = device_id is not None and (
            self._config.accept_unknown or self._devices.is_known(device_id)
        )
        HANDSHAKES.labels("accepted" if accepted else "rejected").inc()
        writer.write(ACCEPT if accepted else REJECT)
        await writer.drain()
        if not accepted:
            log.warning("teltonika device refused", peer=peer, device_id=device_id, imei_length=length)
            return None
        log.info("teltonika device connected", peer=peer, device_id=device_id)
        return device_id

    async def _next_frame(self, reader: asyncio.StreamReader) -> bytes:
        async with self._deadline(self._config.idle_timeout_s, "idle"):
            first = await reader.readexactly(1)
            while first[0] == PING:
                first = await reader.readexactly(1)
        # A packet has started: the rest must follow promptly (a slow drip holds no slot).
        async with self._deadline(self._config.frame_timeout_s, "frame"):
            header = first + await reader.readexactly(HEADER_BYTES - 1)
            try:
                length = data_length(header)
            except MalformedFrame as exc:
                raise ConnectionClosing(f"framing lost: {exc}", "malformed") from exc
            if length > self._config.max_data_bytes:
                raise ConnectionClosing(
                    f"data field of {length} bytes exceeds {self._config.max_data_bytes}", "too_large"
                )
            return header + await reader.readexactly(length + CRC_BYTES)

    @contextlib.asynccontextmanager
    async def _deadline(self, seconds: float, phase: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(seconds):
                yield
        except TimeoutError:
            raise _Timeout(phase) from None
