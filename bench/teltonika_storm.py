"""The Teltonika server under a hostile crowd: 10,000 connections opened and dropped, then a good device.

    .venv/bin/python bench/teltonika_storm.py [--connections N] [--concurrency C] [--addresses A]

Ingest's real `TeltonikaServer` on a real socket, in this process (a registry knowing two
IMEIs, a Kafka stand-in that records what would be published), attacked by
`coldchain_devtools.teltonika.storm`: connections closed or reset at once, random bytes,
truncated and unknown IMEIs, truncated, random and oversized frames, spread over
`--addresses` source addresses so each passes the per-address connect burst. Prints the
figures (connections/s, RSS at start, peak and end, connections still held, what was
published) and a final `RESULT {json}`. The process holds client and server, so its RSS
bounds the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from coldchain_contracts import DeviceOptions
from coldchain_devtools.teltonika.storm import storm
from coldchain_ingest.protocols.teltonika.config import TeltonikaConfig
from coldchain_ingest.protocols.teltonika.server import TeltonikaServer
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import configure_logging

GOOD, CROWD = "356307042441013", "356307042441014"


class Registry:
    def is_known(self, device_id: str) -> bool:
        return device_id in (GOOD, CROWD)

    def options_for(self, device_id: str) -> DeviceOptions:
        return DeviceOptions()


async def run(connections: int, concurrency: int, addresses: int) -> dict[str, object]:
    published: list[Outgoing] = []

    async def publish(messages: Sequence[Outgoing]) -> None:
        published.extend(messages)

    config = TeltonikaConfig(host="127.0.0.1", port=0, handshake_timeout_s=2.0, frame_timeout_s=2.0)
    server = TeltonikaServer(config, Registry(), publish, clock=lambda: datetime.now(UTC))
    await server.start()
    try:
        report = await storm(
            server.port, GOOD, CROWD, connections, concurrency=concurrency, addresses=addresses
        )
        for _ in range(100):  # connections the server still holds once the crowd is gone
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.1)
        return {**report.as_dict(), "held_after": server.open_connections, "published": len(published)}
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--addresses", type=int, default=100)
    args = parser.parse_args()
    configure_logging("bench-teltonika-storm", "WARNING", False)
    result = asyncio.run(run(args.connections, args.concurrency, args.addresses))
    for name, value in result.items():
        print(f"{name:>26}: {value}")
    print("RESULT " + json.dumps({"bench": "teltonika-storm", **result}))


if __name__ == "__main__":
    main()
