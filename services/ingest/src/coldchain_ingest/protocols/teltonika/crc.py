"""CRC-16/IBM (also called CRC-16/ARC) as Teltonika computes it over an AVL data array.

Polynomial 0x8005 processed bit-reflected (0xA001), initial value 0, no final XOR.
"""

from __future__ import annotations

_POLY_REFLECTED = 0xA001


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY_REFLECTED if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc16_ibm(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc
