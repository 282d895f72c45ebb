"""The Teltonika TCP server: handshake, AVL packets, acknowledgement after Kafka.

Conversation (Teltonika "communication with server"): the device sends its IMEI (2-byte
length + ASCII); the server answers 0x01 if the device is known to the registry, else
0x00 and closes. Then the device sends AVL packets; the server answers each with the
number of records it accepted (4 bytes, big-endian), and only once every record is on
Kafka (`acks=all`, awaited). A packet that fails its CRC or does not parse is logged,
counted and not acknowledged, so the device sends it again; a broken header (framing
lost), a failed publish, or silence longer than the idle timeout (a half-open
connection) closes the connection. Single 0xFF bytes between packets are keep-alive
pings some firmware sends; they are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter, Gauge

from coldchain_contracts import RawFixReceived, utcnow
from coldchain_contracts.devices import TeltonikaIoMap
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_ingest.protocols.teltonika.codec import (
    CRC_BYTES,
    HEADER_BYTES,
    AvlPacket,
    FrameError,
    MalformedFrame,
    data_length,
    decode_packet,
    imei_from,
)
from coldchain_ingest.protocols.teltonika.mapping import layered, to_raw_fix
from coldchain_ingest.registry import DeviceLookup
from coldchain_ingest.settings import IngestSettings
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import get_logger

SOURCE = "teltonika"
ACCEPT, REJECT = b"\x01", b"\x00"
PING = 0xFF
MAX_IMEI_BYTES = 64

log = get_logger(__name__)
CONNECTIONS = Gauge("ingest_teltonika_connections", "Open Teltonika TCP connections")
HANDSHAKES = Counter("ingest_teltonika_handshakes_total", "IMEI handshakes", ["result"])
RECORDS = Counter("ingest_teltonika_records_total", "AVL records published and acknowledged")
FRAMES_REJECTED = Counter(
    "ingest_teltonika_frames_rejected_total", "AVL packets not acknowledged", ["reason"]
)
IDLE_CLOSED = Counter("ingest_teltonika_idle_timeouts_total", "Connections closed after the idle timeout")

Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TeltonikaConfig:
    host: str = "127.0.0.1"
    port: int = 5027
    idle_timeout_s: float = 300.0
    max_data_bytes: int = 65_536
    publish_timeout_s: float = 10.0
    io_map: TeltonikaIoMap | None = None


class ConnectionClosing(Exception):
    """The conversation cannot go on (reason in the message); the connection closes."""


class TeltonikaServer:
    def __init__(
        self,
        config: TeltonikaConfig,
        devices: DeviceLookup,
        publish: Publish,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._config = config
        self._devices = devices
        self._publish = publish
        self._clock = clock
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The bound port (useful when configured as 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._config.host, self._config.port)
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
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        CONNECTIONS.inc()
        peer = str(writer.get_extra_info("peername"))
        try:
            await self._converse(reader, writer, peer)
        except TimeoutError:
            IDLE_CLOSED.inc()
            log.info(
                "teltonika connection idle, closing", peer=peer, idle_timeout_s=self._config.idle_timeout_s
            )
        except (asyncio.IncompleteReadError, ConnectionError):
            log.info("teltonika connection closed by the device", peer=peer)
        except ConnectionClosing as exc:
            log.warning("teltonika connection closed", peer=peer, reason=str(exc))
        finally:
            CONNECTIONS.dec()
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        device_id = await self._handshake(reader, writer, peer)
        if device_id is None:
            return
        while True:
            frame = await self._next_frame(reader)
            try:
                packet = decode_packet(frame)
                messages = self._messages(device_id, packet)
            except FrameError as exc:
                FRAMES_REJECTED.labels(exc.reason).inc()
                log.warning(
                    "teltonika packet not acknowledged",
                    device_id=device_id,
                    reason=exc.reason,
                    error=str(exc),
                )
                continue
            try:
                await asyncio.wait_for(self._publish(messages), self._config.publish_timeout_s)
            except Exception as exc:  # Kafka down or not acknowledging: the device resends later
                FRAMES_REJECTED.labels("publish_failed").inc()
                raise ConnectionClosing(f"publish failed: {exc!r}"[:300]) from exc
            writer.write(len(packet.records).to_bytes(4, "big"))
            await writer.drain()
            RECORDS.inc(len(packet.records))

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> str | None:
        length = int.from_bytes(await self._read(reader, 2), "big")
        device_id: str | None = None
        if 0 < length <= MAX_IMEI_BYTES:
            try:
                device_id = imei_from(await self._read(reader, length))
            except MalformedFrame:
                device_id = None
        accepted = device_id is not None and self._devices.is_known(device_id)
        HANDSHAKES.labels("accepted" if accepted else "rejected").inc()
        writer.write(ACCEPT if accepted else REJECT)
        await writer.drain()
        if not accepted:
            log.warning("teltonika device refused", peer=peer, device_id=device_id, imei_length=length)
            return None
        log.info("teltonika device connected", peer=peer, device_id=device_id)
        return device_id

    async def _next_frame(self, reader: asyncio.StreamReader) -> bytes:
        first = await self._read(reader, 1)
        while first[0] == PING:
            first = await self._read(reader, 1)
        header = first + await self._read(reader, HEADER_BYTES - 1)
        try:
            length = data_length(header)
        except MalformedFrame as exc:
            FRAMES_REJECTED.labels(exc.reason).inc()
            raise ConnectionClosing(f"framing lost: {exc}") from exc
        if length > self._config.max_data_bytes:
            FRAMES_REJECTED.labels("too_large").inc()
            raise ConnectionClosing(f"data field of {length} bytes exceeds {self._config.max_data_bytes}")
        return header + await self._read(reader, length + CRC_BYTES)

    async def _read(self, reader: asyncio.StreamReader, n: int) -> bytes:
        return await asyncio.wait_for(reader.readexactly(n), self._config.idle_timeout_s)

    def _messages(self, device_id: str, packet: AvlPacket) -> list[Outgoing]:
        io_map = layered(self._config.io_map, self._devices.options_for(device_id).teltonika_io)
        received_at = self._clock()
        packet_id = uuid.uuid4()
        trace = tracecontext.child_of(None)
        try:
            fixes = [to_raw_fix(record, io_map) for record in packet.records]
            events = [
                RawFixReceived(
                    device_id=device_id,
                    source=SOURCE,
                    received_at=received_at,
                    producer="ingest",
                    correlation_id=packet_id,
                    fix=fix,
                )
                for fix in fixes
            ]
        except ValueError as exc:  # includes pydantic's ValidationError
            raise MalformedFrame(f"record does not make a fix: {exc}"[:500]) from exc
        return [Outgoing.event(TELEMETRY_RAW.name, device_id, event, trace) for event in events]


def teltonika_config(settings: IngestSettings) -> TeltonikaConfig:
    return TeltonikaConfig(
        host=settings.teltonika_host,
        port=settings.teltonika_port,
        idle_timeout_s=settings.teltonika_idle_timeout_s,
        max_data_bytes=settings.teltonika_max_data_bytes,
        publish_timeout_s=settings.teltonika_publish_timeout_s,
        io_map=settings.teltonika_io_map,
    )
