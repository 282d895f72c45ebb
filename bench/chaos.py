"""Fault injection with acknowledged-data accounting (issue 14, item 1; a first, short skeleton).

    .venv/bin/python bench/chaos.py [--fixes N] [--devices D] [--batch B] [--pause S]

A private Kafka, PostgreSQL and Redis (`deploy/local/infra.py` on free ports) and the
services as processes, tracking twice (two replicas of one consumer group). N fixes go
through the gateway's `POST /v1/telemetry/gps` in batches; a batch counts as acknowledged
once answered 202 (a failed batch is retried until it is). Meanwhile, one at a time, each
restarted after `--pause` seconds: SIGKILL of tracking replica 1 (at a third of the run)
and of PostgreSQL (at two thirds). After the run drains, it counts from the database and
the gateway: `acked`, `stored` (history rows of acked fixes), `missing`, `unexpected`
(rows no acked fix explains), `state_mismatches` (vehicles whose live state is not their
newest stored fix), plus per fault the time to its first acknowledged batch (after
the kill: the gateway's answer, not yet the pipeline's recovery), and ends with `RESULT {json}`.

Not yet: ingest and gateway replicas and their kills, Kafka and Redis kills, the device
protocols, orders with client retries, event duplication and dead-letter counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from coldchain_devtools.processes import start_module, stop_all, wait_ready
from coldchain_devtools.sim_system import SIM_SERVICE_ENV, _infra, _kafka_ports
from coldchain_devtools.testing import free_port
from coldchain_devtools.topics import ensure_topics
from coldchain_gateway.settings import DEV_INGEST_KEY
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

REPO = Path(__file__).resolve().parents[1]
PROCESSES = ("tracking-1", "tracking-2", "ingest", "orders", "dispatch", "gateway")


def say(message: str) -> None:
    print(f"chaos: {message}", flush=True)


class System:
    def __init__(self, root: Path) -> None:
        self.state = root / f"chaos-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "COLDCHAIN_LOCAL_DIR": str(self.state),
            "COLDCHAIN_DURABLE": "true",  # what `make run` runs: a kill must not lose acknowledged data
            "COLDCHAIN_KAFKA_PORT": str(_kafka_ports()),
            "COLDCHAIN_PG_PORT": str(free_port()),
            "COLDCHAIN_REDIS_PORT": str(free_port()),
        }
        self.ports = {name: free_port() for name in PROCESSES}
        self.procs: dict[str, Any] = {}
        self.urls: dict[str, str] = {}

    def up(self) -> None:
        _infra("up", self.env)
        self.urls = dict(
            line.removeprefix("export ").split("=", 1)
            for line in _infra("env", self.env).splitlines()
            if line.startswith("export ")
        )
        asyncio.run(ensure_topics(self.urls["KAFKA_BOOTSTRAP_SERVERS"]))
        for name in PROCESSES:
            self.start(name)
        for name in PROCESSES:
            wait_ready(name, self.ports[name], self.procs[name], self.log(name), timeout_s=300)

    def log(self, name: str) -> Path:
        return self.state / "logs" / f"{name}.log"

    def service_env(self, name: str) -> dict[str, str]:
        service = name.split("-")[0]
        return {
            **self.env,
            **SIM_SERVICE_ENV,
            **self.urls,
            "COLDCHAIN_INTERNAL_TOKEN": os.environ.get("COLDCHAIN_INTERNAL_TOKEN", DEV_INTERNAL_TOKEN),
            "PYTHONUNBUFFERED": "1",
            "GATEWAY_TRACKING_URL": f"http://127.0.0.1:{self.ports['tracking-1']}",
            **{
                f"GATEWAY_{s.upper()}_URL": f"http://127.0.0.1:{self.ports[s]}"
                for s in ("ingest", "orders", "dispatch")
            },
            f"{service.upper()}_HTTP_PORT": str(self.ports[name]),
        }

    def start(self, name: str) -> None:
        self.log(name).parent.mkdir(parents=True, exist_ok=True)
        module = f"coldchain_{name.split('-')[0]}"
        self.procs[name] = start_module(module, env=self.service_env(name), log_path=self.log(name))

    def kill(self, name: str) -> None:
        if name == "postgres":
            pid = int((self.state / "postgres" / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        else:
            self.procs[name].send_signal(signal.SIGKILL)
            self.procs[name].wait()

    def restart(self, name: str) -> None:
        if name == "postgres":
            up = [sys.executable, str(REPO / "deploy" / "local" / "infra.py"), "up", "--only", "postgres"]
            subprocess.run(up, env=self.env, check=True, capture_output=True)
        else:
            self.start(name)

    def down(self) -> None:
        try:
            stop_all(self.procs)
        finally:
            try:
                _infra("down", self.env)
            finally:
                shutil.rmtree(self.state, ignore_errors=True)


async def restart_later(system: System, name: str, pause_s: float) -> None:
    await asyncio.sleep(pause_s)
    await asyncio.to_thread(system.restart, name)
    say(f"restarted {name}")


async def post_all(
    system: System, fixes: list[dict[str, Any]], batch: int, faults: list[dict[str, Any]], pause_s: float
) -> dict[str, Any]:
    gateway = f"http://127.0.0.1:{system.ports['gateway']}"
    batches = [fixes[i : i + batch] for i in range(0, len(fixes), batch)]
    schedule = {len(batches) * (k + 1) // (len(faults) + 1): f for k, f in enumerate(faults)}
    acked = retries = 0
    restarts: list[asyncio.Task[None]] = []
    began = time.monotonic()
    async with httpx.AsyncClient(
        base_url=gateway, timeout=10, headers={"X-API-Key": DEV_INGEST_KEY}
    ) as client:
        for index, body in enumerate(batches):
            fault = schedule.get(index)
            if fault is not None:
                say(f"SIGKILL {fault['target']} after {acked} acked fixes")
                system.kill(fault["target"])
                fault["killed_at"] = time.monotonic()
                restarts.append(asyncio.create_task(restart_later(system, fault["target"], pause_s)))
            while True:
                try:
                    response = await client.post("/v1/telemetry/gps", json={"fixes": body})
                    if response.status_code == 202:
                        break
                except httpx.HTTPError:
                    pass
                retries += 1
                await asyncio.sleep(0.5)
            acked += len(body)
            for f in faults:
                if "killed_at" in f and "first_ack_after_s" not in f:
                    f["first_ack_after_s"] = round(time.monotonic() - f["killed_at"], 2)
    seconds = time.monotonic() - began
    await asyncio.gather(*restarts)
    return {
        "acked": acked,
        "retries": retries,
        "post_seconds": round(seconds, 1),
        "fixes_per_s": round(acked / seconds, 1),
    }


async def account(system: System, fixes: list[dict[str, Any]], drain_s: float) -> dict[str, Any]:
    dsn = system.urls["DATABASE_URL"].replace("+asyncpg", "")
    acked = {(f"{f['device_id']}", datetime.fromisoformat(f["time"])) for f in fixes}
    conn = await asyncpg.connect(dsn)
    try:
        deadline, last, stable_since = time.monotonic() + drain_s, -1, time.monotonic()
        while time.monotonic() < deadline:
            count = await conn.fetchval("SELECT count(*) FROM tracking.positions")
            if count != last:
                last, stable_since = count, time.monotonic()
            elif count >= len(acked) or time.monotonic() - stable_since > 30:
                break
            await asyncio.sleep(1)
        rows = await conn.fetch("SELECT vehicle_id, device_time FROM tracking.positions")
        newest = {
            r["vehicle_id"]: r["newest"]
            for r in await conn.fetch(
                "SELECT vehicle_id, max(device_time) AS newest FROM tracking.positions GROUP BY vehicle_id"
            )
        }
    finally:
        await conn.close()
    stored = {(r["vehicle_id"], r["device_time"]) for r in rows}
    gateway = f"http://127.0.0.1:{system.ports['gateway']}"
    mismatches = 0
    async with httpx.AsyncClient(
        base_url=gateway, timeout=10, headers={"X-API-Key": DEV_INGEST_KEY}
    ) as client:
        for vid, at in newest.items():
            state = await client.get(
                f"http://127.0.0.1:{system.ports['tracking-2']}/v1/vehicles/{vid}/state",
                headers={
                    "Authorization": f"Bearer {system.service_env('tracking-2')['COLDCHAIN_INTERNAL_TOKEN']}"
                },
            )
            ok = state.status_code == 200 and datetime.fromisoformat(state.json()["device_time"]) == at
            mismatches += not ok
    return {
        "stored": len(acked & stored),
        "missing": len(acked - stored),
        "duplicated": len(rows) - len(stored),  # the history's key forbids it; counted anyway
        "unexpected": len(stored - acked),
        "state_mismatches": mismatches,
    }


def make_fixes(count: int, devices: int, run: str) -> list[dict[str, Any]]:
    per = count // devices
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=per + 60)
    fixes = []
    for step in range(per):  # interleaved: every batch carries many devices, each in time order
        for d in range(devices):
            fixes.append(
                {
                    "device_id": f"chaos-{run}-{d:03d}",
                    "time": (start + timedelta(seconds=step)).isoformat(),
                    "latitude": 37.4 + d * 0.001 + step * 0.00005,
                    "longitude": 127.0 + d * 0.001,
                    "speed_kmh": 20.0,
                }
            )
    return fixes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixes", type=int, default=20_000)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument("--drain", type=float, default=300.0)
    args = parser.parse_args()
    system = System(REPO / ".local" / "bench-chaos")
    try:
        say("starting a private system (two tracking replicas)")
        system.up()
        run = uuid.uuid4().hex[:6]
        fixes = make_fixes(args.fixes, args.devices, run)
        faults: list[dict[str, Any]] = [{"target": "tracking-1"}, {"target": "postgres"}]
        posted = asyncio.run(post_all(system, fixes, args.batch, faults, args.pause))
        say(f"posted: {posted}; draining")
        counted = asyncio.run(account(system, fixes, args.drain))
        result = {
            "bench": "chaos",
            "fixes": len(fixes),
            **posted,
            **counted,
            "faults": [{k: v for k, v in f.items() if k != "killed_at"} for f in faults],
        }
        for key, value in result.items():
            print(f"{key:>18}: {value}")
        print("RESULT " + json.dumps(result))
    finally:
        system.down()


if __name__ == "__main__":
    main()
