"""Teltonika AVL data packets, Codec 8 (0x08) and Codec 8 Extended (0x8E): pure parsing.

Packet: 4 zero bytes (preamble) | data field length (4) | codec id (1) | number of
data 1 (1) | AVL records | number of data 2 (1) | CRC-16/IBM of codec id..number of
data 2, in 4 bytes. All integers big-endian.

Record: timestamp (8, ms since the Unix epoch, UTC) | priority (1) | GPS element:
longitude (4, signed, degrees x 1e7), latitude (4, same), altitude (2, signed, m),
angle (2, degrees from north), satellites (1), speed (2, km/h) | IO element.

IO element, Codec 8: event IO id (1), total count (1), then for 1-, 2-, 4- and 8-byte
values a count (1) followed by that many (id (1), value). Codec 8 Extended widens every
id and count to 2 bytes and appends NX: a count (2) of (id (2), length (2), value).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from coldchain_contracts.identifiers import is_identifier
from coldchain_ingest.protocols.teltonika.crc import crc16_ibm

CODEC_8 = 0x08
CODEC_8_EXTENDED = 0x8E
HEADER_BYTES = 8  # preamble + data field length
CRC_BYTES = 4
MIN_DATA_LENGTH = 3  # codec id, number of data 1, number of data 2 (zero records)
# timestamp, priority, longitude, latitude, altitude, angle, satellites, speed
_RECORD_HEAD = struct.Struct(">QBiihHBH")


class FrameError(ValueError):
    """A frame that cannot be accepted; `reason` labels the metric."""

    reason = "malformed"


class MalformedFrame(FrameError):
    reason = "malformed"


class CrcMismatch(FrameError):
    reason = "crc"


class UnsupportedCodec(FrameError):
    reason = "unsupported_codec"


@dataclass(frozen=True, slots=True)
class IoElement:
    """One IO property. Fixed-size values are unsigned as sent; NX values stay bytes."""

    id: int
    size: int
    value: int | bytes

    def signed(self) -> int:
        """The value read as two's complement of its own width (temperatures, axes)."""
        if isinstance(self.value, bytes):
            raise TypeError(f"IO {self.id} is a variable-length value")
        half = 1 << (8 * self.size - 1)
        return self.value - (half << 1) if self.value >= half else self.value


@dataclass(frozen=True, slots=True)
class GpsElement:
    longitude: float
    latitude: float
    altitude_m: int
    angle: int
    satellites: int
    speed_kmh: int


@dataclass(frozen=True, slots=True)
class AvlRecord:
    timestamp_ms: int
    priority: int
    gps: GpsElement
    event_io_id: int
    total_io: int
    io: tuple[IoElement, ...]


@dataclass(frozen=True, slots=True)
class AvlPacket:
    codec_id: int
    records: tuple[AvlRecord, ...]
    crc: int


def imei_from(raw: bytes) -> str:
    """The device id sent in the handshake (ASCII IMEI); anything else is refused."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedFrame("IMEI is not ASCII") from exc
    if not is_identifier(text):
        raise MalformedFrame(f"implausible IMEI {text!r}")
    return text


def data_length(header: bytes) -> int:
    """Length of the data field announced by the 8-byte packet header."""
    if len(header) != HEADER_BYTES or header[:4] != b"\x00\x00\x00\x00":
        raise MalformedFrame(f"bad preamble {header[:4].hex()}")
    length = int.from_bytes(header[4:8], "big")
    if length < MIN_DATA_LENGTH:
        raise MalformedFrame(f"data field length {length} is too short")
    return length


class _Cursor:
    """Big-endian reads over the data field that fail as MalformedFrame, never IndexError."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self._data):
            raise MalformedFrame(f"record data ends at byte {len(self._data)}, needed {end}")
        chunk = self._data[self.pos : end]
        self.pos = end
        return chunk

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    @property
    def remaining(self) -> int:
        return len(self._data) - self.pos


def decode_packet(frame: bytes) -> AvlPacket:
    """A whole TCP frame (header, data field, CRC) as an AVL packet, or FrameError."""
    length = data_length(frame[:HEADER_BYTES])
    if len(frame) != HEADER_BYTES + length + CRC_BYTES:
        raise MalformedFrame(f"frame of {len(frame)} bytes for a data field of {length}")
    data = frame[HEADER_BYTES : HEADER_BYTES + length]
    sent_crc = int.from_bytes(frame[-CRC_BYTES:], "big")
    computed = crc16_ibm(data)
    if sent_crc != computed:
        raise CrcMismatch(f"CRC {sent_crc:#06x} sent, {computed:#06x} computed")
    codec_id = data[0]
    if codec_id not in (CODEC_8, CODEC_8_EXTENDED):
        raise UnsupportedCodec(f"codec {codec_id:#04x}")
    count = data[1]
    if data[-1] != count:
        raise MalformedFrame(f"number of data 1 ({count}) differs from number of data 2 ({data[-1]})")
    cursor = _Cursor(data[2:-1])
    records = tuple(_record(cursor, extended=codec_id == CODEC_8_EXTENDED) for _ in range(count))
    if cursor.remaining:
        raise MalformedFrame(f"{cursor.remaining} bytes left after {count} records")
    return AvlPacket(codec_id=codec_id, records=records, crc=computed)


def _record(cursor: _Cursor, *, extended: bool) -> AvlRecord:
    timestamp_ms, priority, lon, lat, altitude, angle, satellites, speed = _RECORD_HEAD.unpack(
        cursor.take(_RECORD_HEAD.size)
    )
    gps = GpsElement(
        longitude=lon / 1e7,
        latitude=lat / 1e7,
        altitude_m=altitude,
        angle=angle,
        satellites=satellites,
        speed_kmh=speed,
    )
    width = 2 if extended else 1
    event_io_id = cursor.uint(width)
    total_io = cursor.uint(width)
    io: list[IoElement] = []
    for size in (1, 2, 4, 8):
        for _ in range(cursor.uint(width)):
            io.append(IoElement(id=cursor.uint(width), size=size, value=cursor.uint(size)))
    if extended:
        for _ in range(cursor.uint(2)):
            io_id, length = cursor.uint(2), cursor.uint(2)
            io.append(IoElement(id=io_id, size=length, value=cursor.take(length)))
    if len(io) != total_io:
        raise MalformedFrame(f"record announces {total_io} IO elements and carries {len(io)}")
    return AvlRecord(
        timestamp_ms=timestamp_ms,
        priority=priority,
        gps=gps,
        event_io_id=event_io_id,
        total_io=total_io,
        io=tuple(io),
    )
