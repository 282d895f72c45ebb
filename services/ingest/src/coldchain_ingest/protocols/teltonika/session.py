"""One accepted device's packets: decode, publish, acknowledge after Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from prometheus_client import Counter

from coldchain_contracts import RawFixReceived
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_ingest.protocols.teltonika.codec import AvlPacket, FrameError, MalformedFrame, decode_packet
from coldchain_ingest.protocols.teltonika.config import TeltonikaConfig
from coldchain_ingest.protocols.teltonika.mapping import layered, to_raw_fix
from coldchain_ingest.registry import DeviceLookup
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import get_logger

SOURCE = "teltonika"
ACCEPT, REJECT = b"\x01", b"\x00"

log = get_logger(__name__)
RECORDS = Counter("ingest_teltonika_records_total", "AVL records published and acknowledged")
FRAMES_REJECTED = Counter(
    "ingest_teltonika_frames_rejected_total", "AVL packets not acknowledged", ["reason"]
)

Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]
Pace = Callable[[str], Awaitable[None]]


class ConnectionClosing(Exception):
    """The conversation cannot go on (why in the message); the connection closes.

    `reason` labels `ingest_teltonika_frames_rejected_total`."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
        FRAMES_REJECTED.labels(reason).inc()


class Session:
    def __init__(
        self,
        device_id: str,
        devices: DeviceLookup,
        publish: Publish,
        config: TeltonikaConfig,
        clock: Callable[[], datetime],
        pace: Pace,
        writer: asyncio.StreamWriter,
    ) -> None:
        self._device_id = device_id
        self._devices = devices
        self._publish = publish
        self._config = config
        self._clock = clock
        self._pace = pace
        self._writer = writer

    async def handle(self, frame: bytes) -> None:
        """Acknowledge one packet once its fixes are on Kafka; a bad one gets no answer."""
        await self._pace(self._device_id)
        try:
            packet = decode_packet(frame)
            messages = self._messages(packet)
        except FrameError as exc:
            FRAMES_REJECTED.labels(exc.reason).inc()
            log.warning(
                "teltonika packet not acknowledged",
                device_id=self._device_id,
                reason=exc.reason,
                error=str(exc)[:300],
            )
            return
        try:
            await asyncio.wait_for(self._publish(messages), self._config.publish_timeout_s)
        except Exception as exc:  # Kafka down or not acknowledging: the device resends later
            raise ConnectionClosing(f"publish failed: {exc!r}"[:300], "publish_failed") from exc
        self._writer.write(len(packet.records).to_bytes(4, "big"))
        await self._writer.drain()
        RECORDS.inc(len(packet.records))

    def _messages(self, packet: AvlPacket) -> list[Outgoing]:
        device_id = self._device_id
        io_map = layered(self._config.io_map, self._devices.options_for(device_id).teltonika_io)
        received_at = self._clock()
        packet_id = uuid.uuid4()
        trace = tracecontext.child_of(None)
        try:
            events = [
                RawFixReceived(
                    device_id=device_id,
                    source=SOURCE,
                    received_at=received_at,
                    producer="ingest",
                    correlation_id=packet_id,
                    fix=to_raw_fix(record, io_map),
                )
                for record in packet.records
            ]
        except ValueError as exc:  # includes pydantic's ValidationError
            raise MalformedFrame(f"record does not make a fix: {exc}"[:500]) from exc
        return [Outgoing.event(TELEMETRY_RAW.name, device_id, event, trace) for event in events]
