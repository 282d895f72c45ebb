"""Gateway API load benchmark (`make bench-api`): latency percentiles and throughput.

Runs the five services (dev mode, rate limits raised so they do not throttle the load
while their Redis script still runs per request) and a bare FastAPI endpoint served
the same way, seeds 10,000 vehicles' live state through the telemetry API, then uses
vegeta (an open-loop load generator: a fixed request rate, latency measured from the
scheduled send, so a slow server cannot hide queueing) against:

- `GET /v1/vehicles` (a page of the 10,000 live states), `GET /v1/vehicles/{id}/state` (random ones)
- `POST /v1/telemetry/gps` (batches of 10 fixes)
- the bare endpoint

each at a fixed rate (default 1,000 req/s for reads) and, separately, at the highest
rate a fixed pool of workers sustains (closed loop); then both reads again at the fixed
rate while the seeded fleet posts fixes (`+fleet`, default 400 fixes/s), so states
change under the reads. Prints a table and one final line `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from benchsystem import AUTH, REPO, Infra, log, log_dir, running_services
from redis.asyncio import Redis
from vegeta import Scenario, attack, attack_under, get_targets, post_targets, report_line, vegeta_binary

from coldchain_devtools.testing import free_port
from coldchain_devtools.topics import ensure_topics
from coldchain_gateway.live.states import end_offsets

PREFIX = "api-"


async def seed_vehicles(gateway: str, redis_url: str, count: int) -> None:
    # Recent, so no vehicle goes offline (TRACKING_OFFLINE_AFTER_S, 600 s) during the attacks.
    now = datetime.now(UTC) - timedelta(seconds=10)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, headers=AUTH) as http:
        for start in range(0, count, 500):
            fixes = [
                {
                    "device_id": f"{PREFIX}{i:05d}",
                    "time": now.isoformat(),
                    "latitude": 37.4 + (i % 100) * 0.002,
                    "longitude": 126.9 + (i // 100) * 0.002,
                    "speed_kmh": 30.0,
                    "temperatures": [{"channel": "A", "celsius": -19.5}],
                }
                for i in range(start, min(count, start + 500))
            ]
            response = await http.post("/v1/telemetry/gps", json={"fixes": fixes})
            response.raise_for_status()
    redis = Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 300
        while (
            have := await redis.zlexcount("tracking:vehicle-index", f"[{PREFIX}", f"({PREFIX}\xff")
        ) < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {have} of {count} vehicles have live state after 5 minutes")
            await asyncio.sleep(1)
    finally:
        await redis.aclose()
    log(f"seeded {count} vehicles' live state")


async def settled(kafka: str, since: float, horizon_s: float, quiet_s: float = 10.0) -> None:
    """Wait out what the seeding itself sets off. Tracking holds each vehicle's newest fix in
    its reorder buffer and releases it `TRACKING_FLUSH_AFTER_S` (120 s) later, on a sweep
    (every 30 s): all 10,000 seeded vehicles then change state within a second or two, and
    tracking, Kafka, dispatch and the gateway processing that burst starve the gateway of CPU
    on two cores. Measured before this wait existed, that burst landed inside one of the
    read attacks and cost it a ~1.5 s stall. A live fleet's updates are spread out, so the
    reads are measured once the state topic has been quiet for `quiet_s` past the horizon."""
    last: dict[int, int] = {}
    quiet_from = time.monotonic()
    while True:
        now = await end_offsets(kafka)
        if now != last:
            last, quiet_from = now, time.monotonic()
        elif time.monotonic() - since > horizon_s and time.monotonic() - quiet_from >= quiet_s:
            break
        await asyncio.sleep(1)
    log(f"state topic quiet for {quiet_s:.0f} s, {time.monotonic() - since:.0f} s after seeding")


async def gateway_holds(gateway: str, count: int) -> None:
    """Wait until the gateway's own copy of live states has every seeded vehicle and the
    pipeline behind the seeding is idle, so the first attack measures reads, not catch-up."""
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as http:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            metrics = (await http.get("/metrics")).text
            held = [
                line for line in metrics.splitlines() if line.startswith("gateway_cached_vehicle_states ")
            ]
            if held and float(held[0].split()[1]) >= count:
                break
            await asyncio.sleep(1)
    log(f"gateway holds {count} vehicles' state")


def telemetry_bodies(workdir: Path, files: int) -> list[Path]:
    """Batches of 10 fixes, each fix newer than the last so ingest never drops one as a duplicate."""
    start = datetime.now(UTC) - timedelta(hours=2)
    paths = []
    for n in range(files):
        at = (start + timedelta(seconds=n)).isoformat()
        fixes = [
            {
                "device_id": f"{PREFIX}post-{i}",
                "time": at,
                "latitude": 37.5,
                "longitude": 127.0,
                "speed_kmh": 0.0,
            }
            for i in range(10)
        ]
        path = workdir / f"body-{n}.json"
        path.write_text(json.dumps({"fixes": fixes}))
        paths.append(path)
    return paths


def fleet_bodies(workdir: Path, vehicles: int, batches: int, rate: int, first: int) -> list[Path]:
    """The seeded fleet reporting: batch k carries the next 10 vehicles' fixes, timed as if
    sent k / rate seconds from now, so each vehicle's fixes move forward in time."""
    start = datetime.now(UTC)
    paths = []
    for k in range(first, first + batches):
        at = (start + timedelta(seconds=(k - first) / rate)).isoformat()
        fixes = []
        for j in range(10):
            i = (k * 10 + j) % vehicles
            fixes.append(
                {
                    "device_id": f"{PREFIX}{i:05d}",
                    "time": at,
                    "latitude": 37.4 + (i % 100) * 0.002,
                    "longitude": 126.9 + (i // 100) * 0.002,
                    "speed_kmh": 30.0,
                    "temperatures": [{"channel": "A", "celsius": -19.5}],
                }
            )
        path = workdir / f"fleet-{k}.json"
        path.write_text(json.dumps({"fixes": fixes}))
        paths.append(path)
    return paths


def run_bare(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=REPO / "bench",
        env={**os.environ, "PYTHONPATH": str(REPO / "bench")},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/state", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("bare FastAPI app did not start")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--read-rate", type=int, default=1_000)
    parser.add_argument("--post-rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--fleet-rate",
        type=int,
        default=40,
        help="batches of 10 fixes per second posted during the '+fleet' reads (400 fixes/s: "
        "10,000 vehicles reporting every 25 s)",
    )
    parser.add_argument(
        "--settle-s", type=float, default=160.0, help="wait at least this long after seeding (see settled)"
    )
    args = parser.parse_args()
    vegeta = vegeta_binary()
    infra = Infra.from_env()
    await ensure_topics(infra.kafka)
    results: dict[str, dict[str, Any]] = {}
    bare_port = free_port()
    bare = run_bare(bare_port)
    try:
        with running_services(infra, log_dir()) as ports, tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            gateway = f"http://127.0.0.1:{ports['gateway']}"
            seeded_at = time.monotonic()
            await seed_vehicles(gateway, infra.redis_url, args.vehicles)
            await gateway_holds(gateway, args.vehicles)
            await settled(infra.kafka, seeded_at, horizon_s=args.settle_s)
            rng = random.Random(7)  # noqa: S311 - picking test vehicles, not secrets
            ids = [f"{PREFIX}{rng.randrange(args.vehicles):05d}" for _ in range(2000)]
            scenarios = [
                Scenario(
                    "bare_fastapi", get_targets([f"http://127.0.0.1:{bare_port}/state"], {}), args.read_rate
                ),
                Scenario(
                    "vehicle_state",
                    get_targets([f"{gateway}/v1/vehicles/{v}/state" for v in ids], AUTH),
                    args.read_rate,
                ),
                Scenario(
                    "vehicle_list", get_targets([f"{gateway}/v1/vehicles?limit=100"], AUTH), args.read_rate
                ),
                Scenario(
                    "telemetry_post",
                    post_targets(
                        f"{gateway}/v1/telemetry/gps",
                        telemetry_bodies(workdir, args.post_rate * args.seconds * 2),
                        AUTH,
                    ),
                    args.post_rate,
                ),
            ]
            for scenario in scenarios:
                for closed in (False, True):
                    if closed and scenario.name == "telemetry_post":
                        continue  # its body files are single-use (duplicates are dropped); fixed rate only
                    label = f"{scenario.name}@{'max' if closed else scenario.rate}"
                    log(f"attack {label} for {args.seconds} s")
                    results[label] = attack(vegeta, scenario, args.seconds, workdir, closed)
                    report_line(label, results[label])
                    await asyncio.sleep(5)  # let the previous attack's backlog drain
            # Reads while the whole fleet reports: live states change under the reads, and
            # ingest, tracking, Kafka and the gateway's state copy all share the two cores.
            fleet_batches = args.fleet_rate * args.seconds
            for n, scenario in enumerate(scenarios[1:3]):
                fleet = Scenario(
                    "fleet",
                    post_targets(
                        f"{gateway}/v1/telemetry/gps",
                        fleet_bodies(
                            workdir, args.vehicles, fleet_batches, args.fleet_rate, n * fleet_batches
                        ),
                        AUTH,
                    ),
                    args.fleet_rate,
                )
                label = f"{scenario.name}@{scenario.rate}+fleet"
                log(f"attack {label} ({args.fleet_rate * 10} fixes/s posted meanwhile) for {args.seconds} s")
                results[label], results[f"fleet_post@{args.fleet_rate}/{scenario.name}"] = attack_under(
                    vegeta, scenario, fleet, args.seconds, workdir
                )
                report_line(label, results[label])
                report_line(
                    "  (fleet posts meanwhile)", results[f"fleet_post@{args.fleet_rate}/{scenario.name}"]
                )
                await asyncio.sleep(5)
    finally:
        bare.terminate()
        bare.wait(timeout=10)
    print(f"{'scenario':30}{'offered':>10}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'ok':>8}")
    for label, r in results.items():
        print(
            f"{label:30}{r['rate_offered']:>10}{r['throughput']:>10}{r['p50_ms']:>9}{r['p95_ms']:>9}"
            f"{r['p99_ms']:>9}{r['success']:>8.2%}"
        )

    def reads_ok(suffix: str) -> bool:
        return all(
            results[f"{name}@{args.read_rate}{suffix}"]["p95_ms"] < 50
            and results[f"{name}@{args.read_rate}{suffix}"]["success"] == 1
            for name in ("vehicle_state", "vehicle_list")
        )

    summary = {
        "vehicles": args.vehicles,
        "read_rate": args.read_rate,
        "fleet_fixes_per_s": args.fleet_rate * 10,
        "target_reads_p95_under_50ms_at_rate": reads_ok(""),
        "target_reads_p95_under_50ms_at_rate_with_fleet": reads_ok("+fleet"),
        "cpus": os.cpu_count(),
        "results": {k: {kk: vv for kk, vv in v.items() if kk != "status_codes"} for k, v in results.items()},
    }
    print("RESULT " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
