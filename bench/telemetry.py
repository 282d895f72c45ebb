"""Telemetry throughput and freshness benchmark (`make bench-telemetry`).

Three phases on one local Kafka, PostgreSQL and Redis (started by the Makefile on
their own ports), all in one run so the figures compare:

1. bare Kafka: aiokafka produces N copies of the raw-fix message the gateway would
   publish to a 6-partition topic while a consumer reads them back; messages/s.
2. end to end: the five services run as processes; C concurrent clients post N fixes
   (batches of B, V vehicles) to the gateway as fast as it accepts them; fixes/s from
   the first post until tracking has all N rows in PostgreSQL (and the live state in
   Redis reflects every vehicle's last fix).
3. freshness: R fixes/s offered for D seconds with device time = now; a consumer of
   `tracking.vehicle-state.v1` records now - device time per state. That is an upper
   bound of "visible in live state": tracking writes Redis before it publishes.

Prints progress, a summary and one final line `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from bare_kafka import SEOUL, bare_kafka
from benchsystem import AUTH, Infra, log, log_dir, running_services
from redis.asyncio import Redis

from coldchain_contracts.topics import VEHICLE_STATE
from coldchain_devtools.topics import ensure_topics


def fix_json(device: str, at: datetime, step: int) -> dict[str, Any]:
    # ~100 m per 10 s step: plausible for ingest's implied-speed filter.
    return {
        "device_id": device,
        "time": at.isoformat(timespec="milliseconds"),
        "latitude": SEOUL[0] + step * 0.0009,
        "longitude": SEOUL[1],
        "speed_kmh": 36.0,
        "heading": 0.0,
        "ignition": True,
        "temperatures": [{"channel": "A", "celsius": -19.5}],
    }


# ---------------------------------------------------------------- phase 1: bare Kafka


async def post_all(gateway: str, bodies: list[bytes], concurrency: int) -> None:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    headers = {"content-type": "application/json", **AUTH}
    async with httpx.AsyncClient(
        base_url=gateway, timeout=60, limits=httpx.Limits(max_connections=concurrency)
    ) as http:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                while True:
                    response = await http.post("/v1/telemetry/gps", content=body, headers=headers)
                    if response.status_code == 202:
                        break
                    if response.status_code != 503:
                        raise SystemExit(f"gateway answered {response.status_code}: {response.text[:300]}")
                    await asyncio.sleep(0.2)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def stored_rows(db: asyncpg.Connection, prefix: str) -> int:
    # The primary key starts with vehicle_id: a range on the prefix is an index scan.
    count: int = await db.fetchval(
        "SELECT count(*) FROM tracking.positions WHERE vehicle_id >= $1 AND vehicle_id < $2",
        prefix,
        prefix[:-1] + chr(ord(prefix[-1]) + 1),
    )
    return count


async def end_to_end(
    infra: Infra, gateway: str, n: int, vehicles: int, batch: int, concurrency: int
) -> float:
    run = uuid.uuid4().hex[:6]
    prefix = f"e2e{run}-"
    per_vehicle = max(1, n // vehicles)
    n = per_vehicle * vehicles
    base = datetime.now(UTC) - timedelta(seconds=10 * per_vehicle + 60)
    fixes = [
        fix_json(f"{prefix}{v:05d}", base + timedelta(seconds=10 * step), step)
        for step in range(per_vehicle)
        for v in range(vehicles)
    ]
    bodies = [json.dumps({"fixes": fixes[i : i + batch]}).encode() for i in range(0, n, batch)]
    last_time = {f["device_id"]: f["time"] for f in fixes}
    log(
        f"end to end: {n} fixes, {vehicles} vehicles, {len(bodies)} batches of {batch}, {concurrency} clients"
    )
    db = await asyncpg.connect(infra.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        started = time.perf_counter()
        poster = asyncio.create_task(post_all(gateway, bodies, concurrency))
        rows = 0
        while rows < n:
            await asyncio.sleep(0.5)
            if poster.done() and poster.exception() is not None:
                raise poster.exception()  # type: ignore[misc]
            rows = await stored_rows(db, prefix)
            log(f"  {rows:>8} / {n} rows stored ({time.perf_counter() - started:5.1f} s)")
            if time.perf_counter() - started > 1800:
                raise SystemExit("end to end: not all fixes stored within 30 minutes")
        await poster
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    await check_live_state(infra.redis_url, last_time)
    rate = n / elapsed
    log(f"end to end: {n} fixes in {elapsed:.1f} s = {rate:,.0f} fixes/s")
    return rate


async def check_live_state(redis_url: str, last_time: dict[str, str]) -> None:
    """Every vehicle's live state must reflect its last fix (Redis written, not just history)."""
    redis = Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 30
        while True:
            pipe = redis.pipeline(transaction=False)
            for vehicle in last_time:
                pipe.hget(f"tracking:vehicle:{vehicle}", "state")
            states = await pipe.execute()
            behind = 0
            for vehicle, raw in zip(last_time, states, strict=True):
                expected = datetime.fromisoformat(last_time[vehicle])
                if raw is None or datetime.fromisoformat(json.loads(raw)["device_time"]) < expected:
                    behind += 1
            if behind == 0:
                log(f"  live state: all {len(last_time)} vehicles at their last fix")
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"live state: {behind} vehicles not at their last fix")
            await asyncio.sleep(0.5)
    finally:
        await redis.aclose()


# ---------------------------------------------------------------- phase 3: freshness


async def freshness(
    infra: Infra, gateway: str, rate: int, seconds: int, vehicles: int
) -> tuple[float, float, float]:
    run = uuid.uuid4().hex[:6]
    prefix = f"fresh{run}-"
    latencies: list[float] = []
    consumer = AIOKafkaConsumer(VEHICLE_STATE.name, bootstrap_servers=infra.kafka, auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(2)  # partitions assigned before the first fix

    async def consume(stop: asyncio.Event) -> None:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100)
            now = datetime.now(UTC)
            for records in batches.values():
                for record in records:
                    if record.key and record.key.decode().startswith(prefix) and record.value:
                        device_time = datetime.fromisoformat(json.loads(record.value)["device_time"])
                        latencies.append((now - device_time).total_seconds() * 1000)

    tick_s = 0.1
    per_tick = max(1, int(rate * tick_s))
    stop = asyncio.Event()
    reader = asyncio.create_task(consume(stop))
    sent = 0
    headers = {"content-type": "application/json", **AUTH}
    log(f"freshness: offering {rate} fixes/s for {seconds} s ({per_tick} per {tick_s * 1000:.0f} ms)")
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        started = time.perf_counter()
        in_flight: set[asyncio.Task[httpx.Response]] = set()
        tick = 0
        while time.perf_counter() - started < seconds:
            now = datetime.now(UTC)
            fixes = [
                fix_json(f"{prefix}{(sent + i) % vehicles:05d}", now, (sent + i) // vehicles)
                for i in range(per_tick)
            ]
            body = json.dumps({"fixes": fixes}).encode()
            task = asyncio.create_task(http.post("/v1/telemetry/gps", content=body, headers=headers))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            sent += per_tick
            tick += 1
            await asyncio.sleep(max(0.0, started + tick * tick_s - time.perf_counter()))
        responses = await asyncio.gather(*in_flight) if in_flight else []
        offered = sent / (time.perf_counter() - started)
    refused = sum(1 for r in responses if r.status_code != 202)
    await asyncio.sleep(5)  # let the tail arrive
    stop.set()
    await reader
    await consumer.stop()
    if not latencies:
        raise SystemExit("freshness: no state change observed")
    q = statistics.quantiles(latencies, n=100)
    log(
        f"freshness: offered {offered:,.0f} fixes/s, {len(latencies)} state changes seen, "
        f"p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {max(latencies):.0f} ms, refused batches {refused}"
    )
    return q[49], q[98], offered


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fixes", type=int, default=100_000)
    parser.add_argument("--vehicles", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--fresh-rate", type=int, default=5_000)
    parser.add_argument("--fresh-seconds", type=int, default=30)
    args = parser.parse_args()
    infra = Infra.from_env()
    await ensure_topics(infra.kafka)
    bare = await bare_kafka(infra.kafka, args.fixes)
    with running_services(infra, log_dir()) as ports:
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        e2e = await end_to_end(infra, gateway, args.fixes, args.vehicles, args.batch, args.clients)
        p50, p99, offered = await freshness(
            infra, gateway, args.fresh_rate, args.fresh_seconds, args.vehicles
        )
    result = {
        "e2e_fixes_per_s": round(e2e),
        "bare_kafka_msgs_per_s": round(bare),
        "ratio": round(e2e / bare, 3),
        "freshness_p50_ms": round(p50),
        "freshness_p99_ms": round(p99),
        "freshness_offered_fixes_per_s": round(offered),
        "fixes": args.fixes,
        "cpus": os.cpu_count(),
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
