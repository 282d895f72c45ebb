"""Building Codec 8 / 8E packets, the inverse of `codec.decode_packet`.

For tests, the simulator and `python -m coldchain_devtools.teltonika.send` (a device for
demos, kept out of the ingest service); the
server never encodes AVL data.
"""

from __future__ import annotations

from collections.abc import Sequence

from coldchain_ingest.protocols.teltonika.codec import CODEC_8, CODEC_8_EXTENDED, AvlRecord, IoElement
from coldchain_ingest.protocols.teltonika.crc import crc16_ibm


def handshake(imei: str) -> bytes:
    raw = imei.encode("ascii")
    return len(raw).to_bytes(2, "big") + raw


def packet(records: Sequence[AvlRecord], codec_id: int = CODEC_8) -> bytes:
    extended = codec_id == CODEC_8_EXTENDED
    body = bytes([codec_id, len(records)]) + b"".join(_record(r, extended) for r in records)
    data = body + bytes([len(records)])
    return b"\x00\x00\x00\x00" + len(data).to_bytes(4, "big") + data + crc16_ibm(data).to_bytes(4, "big")


def _record(record: AvlRecord, extended: bool) -> bytes:
    gps = record.gps
    width = 2 if extended else 1
    out = bytearray()
    out += record.timestamp_ms.to_bytes(8, "big") + bytes([record.priority])
    out += round(gps.longitude * 1e7).to_bytes(4, "big", signed=True)
    out += round(gps.latitude * 1e7).to_bytes(4, "big", signed=True)
    out += gps.altitude_m.to_bytes(2, "big", signed=True) + gps.angle.to_bytes(2, "big")
    out += bytes([gps.satellites]) + gps.speed_kmh.to_bytes(2, "big")
    out += record.event_io_id.to_bytes(width, "big") + len(record.io).to_bytes(width, "big")
    for size in (1, 2, 4, 8):
        group = [e for e in record.io if isinstance(e.value, int) and e.size == size]
        out += len(group).to_bytes(width, "big")
        for element in group:
            assert isinstance(element.value, int)
            out += element.id.to_bytes(width, "big") + element.value.to_bytes(size, "big")
    if extended:
        variable: list[IoElement] = [e for e in record.io if isinstance(e.value, bytes)]
        out += len(variable).to_bytes(2, "big")
        for element in variable:
            assert isinstance(element.value, bytes)
            out += element.id.to_bytes(2, "big") + len(element.value).to_bytes(2, "big") + element.value
    return bytes(out)
