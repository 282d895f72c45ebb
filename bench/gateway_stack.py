"""What one read costs inside the gateway (`make bench-gateway-stack`), without the network.

`bench/api.py` measures the whole system under vegeta, where the gateway shares two cores
with the load generator, Kafka, PostgreSQL, Redis and four other services. This one calls
the gateway's ASGI application directly, with its real middleware, guard, Redis rate
limiter, API-key authentication and 10,000 live states in memory, and prints the CPU time
per request next to the bare FastAPI endpoint of `bench/bare_app.py` called the same way.
It shows where a read's cost is and whether a change made it cheaper; the ratio to the
bare endpoint is what compares across machines.

Needs the local infrastructure (the Makefile target starts it). Ends with `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bare_app import app as bare_app
from benchsystem import AUTH, UNTHROTTLED

from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
App = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


@dataclass(frozen=True)
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


def state_record(n: int, at: datetime) -> FakeRecord:
    """A state the size tracking publishes for a loaded, moving, single-compartment truck."""
    vehicle = f"bench-{n:05d}"
    body = {
        "event_id": f"00000000-0000-4000-8000-{n:012d}",
        "event_type": "VehicleStateChanged",
        "occurred_at": at.isoformat(),
        "vehicle_id": vehicle,
        "device_id": vehicle,
        "device_time": at.isoformat(),
        "received_at": at.isoformat(),
        "latitude": 37.4 + (n % 100) * 0.002,
        "longitude": 126.9 + (n // 100) * 0.002,
        "speed_kmh": 41.5,
        "heading": 182.0,
        "ignition": True,
        "motion": "moving",
        "temperatures": [{"channel": "A", "celsius": -19.5, "setpoint_celsius": -20.0, "state": "ok"}],
        "door_open": False,
        "gps_valid": True,
        "trip_id": f"00000000-0000-4000-9000-{n:012d}",
        "trip_started_at": (at - timedelta(minutes=40)).isoformat(),
        "trip_distance_km": 23.4,
        "compartments": [
            {
                "channel": "A",
                "zone": "frozen",
                "band_low_celsius": -25.0,
                "band_high_celsius": -18.0,
                "celsius": -19.5,
                "condition": "in_band",
            }
        ],
        "alerts": [],
        "geofence_ids": [],
        "analysed_until": at.isoformat(),
    }
    return FakeRecord("tracking.vehicle-state.v1", n % 6, n, vehicle.encode(), json.dumps(body).encode())


def scope_of(path: str, query: str, headers: dict[str, str]) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: App, scope: Scope) -> int:
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


async def measure(app: App, scopes: list[Scope], requests: int, concurrency: int) -> dict[str, float]:
    """CPU and wall time per request with `concurrency` requests in flight."""
    statuses: dict[int, int] = {}

    async def worker(offset: int) -> None:
        for i in range(offset, requests, concurrency):
            status = await call(app, scopes[i % len(scopes)])
            statuses[status] = statuses.get(status, 0) + 1

    for scope in scopes[:50]:  # warm-up: caches, first Redis connections
        await call(app, scope)
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if set(statuses) != {200}:
        raise SystemExit(f"unexpected statuses {statuses}")
    return {"cpu_us": round(cpu / requests * 1e6, 1), "wall_us": round(wall / requests * 1e6, 1)}


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    os.environ.update(
        {**UNTHROTTLED, "GATEWAY_DEV_MODE": "true", "COLDCHAIN_INTERNAL_TOKEN": DEV_INTERNAL_TOKEN}
    )
    from coldchain_gateway.app import create_app  # after the environment is set

    gateway = create_app()
    async with gateway.router.lifespan_context(gateway):
        states = gateway.state.live_states
        at = datetime.now(UTC) - timedelta(minutes=1)
        states.apply([state_record(n, at) for n in range(args.vehicles)])
        states.expect({})  # the copy is complete: lists are answered from memory
        scenarios: dict[str, tuple[App, list[Scope]]] = {
            "bare_fastapi": (bare_app, [scope_of("/state", "", {})]),
            "vehicle_state": (
                gateway,
                [
                    scope_of(f"/v1/vehicles/bench-{(n * 7919) % args.vehicles:05d}/state", "", AUTH)
                    for n in range(1000)
                ],
            ),
            "vehicle_list": (gateway, [scope_of("/v1/vehicles", "limit=100", AUTH)]),
        }
        results = {
            name: await measure(app, scopes, args.requests, args.concurrency)
            for name, (app, scopes) in scenarios.items()
        }
    bare = results["bare_fastapi"]["cpu_us"]
    print(f"{'scenario':16}{'cpu µs/req':>12}{'wall µs/req':>13}{'× bare':>9}")
    for name, r in results.items():
        print(f"{name:16}{r['cpu_us']:>12}{r['wall_us']:>13}{r['cpu_us'] / bare:>9.1f}")
    summary = {
        "vehicles": args.vehicles,
        "requests": args.requests,
        "concurrency": args.concurrency,
        **results,
    }
    print("RESULT " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
