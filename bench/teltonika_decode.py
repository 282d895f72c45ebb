"""Teltonika decoding cost: CRC + Codec 8E parse + IO mapping to raw fixes, per record.

    .venv/bin/python bench/teltonika_decode.py [--packets N]

CPU only (no sockets, no Kafka): builds one packet of 10 records with 14 IO elements
each (a typical FMB reefer configuration), then decodes and maps it N times. Prints the
figures and a final `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import time

from coldchain_devtools.teltonika.encode import packet
from coldchain_ingest.protocols.teltonika.codec import (
    CODEC_8_EXTENDED,
    AvlRecord,
    GpsElement,
    IoElement,
    decode_packet,
)
from coldchain_ingest.protocols.teltonika.mapping import DEFAULT_IO_MAP, to_raw_fix


def sample(records: int = 10) -> bytes:
    io = (
        IoElement(239, 1, 1),
        IoElement(240, 1, 1),
        IoElement(21, 1, 4),
        IoElement(69, 1, 1),
        IoElement(2, 1, 0),
        IoElement(66, 2, 27650),
        IoElement(67, 2, 4100),
        IoElement(182, 2, 8),
        IoElement(24, 2, 52),
        IoElement(72, 4, (-195) & 0xFFFFFFFF),
        IoElement(73, 4, 3000),
        IoElement(16, 4, 22949000),
        IoElement(241, 4, 45005),
        IoElement(78, 8, 0x1D00000A1B2C3D01),
    )
    gps = GpsElement(
        longitude=127.0276, latitude=37.4979, altitude_m=38, angle=90, satellites=11, speed_kmh=52
    )
    start = int(time.time() * 1000)
    return packet(
        [AvlRecord(start + i * 5000, 0, gps, 0, len(io), io) for i in range(records)], CODEC_8_EXTENDED
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=5000)
    args = parser.parse_args()
    frame = sample()
    started = time.perf_counter()
    records = 0
    for _ in range(args.packets):
        decoded = decode_packet(frame)
        records += len([to_raw_fix(r, DEFAULT_IO_MAP) for r in decoded.records])
    elapsed = time.perf_counter() - started
    per_record_us = elapsed / records * 1e6
    print(f"{args.packets} packets of {len(frame)} bytes, {records} records in {elapsed:.2f} s")
    print(f"{records / elapsed:,.0f} records/s, {per_record_us:.1f} µs per record (decode + CRC + mapping)")
    result = {"records": records, "seconds": round(elapsed, 3), "records_per_s": round(records / elapsed)}
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
