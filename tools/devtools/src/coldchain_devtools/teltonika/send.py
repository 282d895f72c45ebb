"""Send one Codec 8 record as a Teltonika device would: `python -m ...teltonika.send --help`.

Prints the server's handshake answer and its acknowledgement (records accepted).
"""

from __future__ import annotations

import argparse
import socket
import time

from coldchain_devtools.teltonika.encode import handshake, packet
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, GpsElement, IoElement


def record(lat: float, lon: float, speed_kmh: int, temp_a: float | None, ignition: bool) -> AvlRecord:
    io = [IoElement(239, 1, int(ignition)), IoElement(240, 1, int(speed_kmh > 0))]
    if temp_a is not None:
        io.append(IoElement(72, 4, round(temp_a * 10) & 0xFFFFFFFF))  # Dallas 1, signed, 0.1 °C
    gps = GpsElement(longitude=lon, latitude=lat, altitude_m=30, angle=90, satellites=9, speed_kmh=speed_kmh)
    return AvlRecord(
        timestamp_ms=int(time.time() * 1000),
        priority=0,
        gps=gps,
        event_io_id=0,
        total_io=len(io),
        io=tuple(io),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5027)
    parser.add_argument("--imei", default="356307042441013")
    parser.add_argument("--lat", type=float, default=37.4979)
    parser.add_argument("--lon", type=float, default=127.0276)
    parser.add_argument("--speed", type=int, default=38, help="km/h")
    parser.add_argument("--temp-a", type=float, default=-19.5, help="compartment A, °C")
    args = parser.parse_args()
    with socket.create_connection((args.host, args.port), timeout=15) as sock:
        sock.sendall(handshake(args.imei))
        answer = sock.recv(1)
        print(f"handshake answer: {answer.hex() or 'connection closed'}")
        if answer != b"\x01":
            raise SystemExit("device refused: register it first (PUT /v1/devices/{imei})")
        sock.sendall(packet([record(args.lat, args.lon, args.speed, args.temp_a, ignition=True)]))
        ack = sock.recv(4)
        print(f"records acknowledged: {int.from_bytes(ack, 'big') if len(ack) == 4 else 'none'}")


if __name__ == "__main__":
    main()
