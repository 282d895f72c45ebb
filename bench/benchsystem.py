"""What the end-to-end benchmarks share: the local infrastructure's addresses and the five
services run as processes on free ports, with limits raised so the load is measured, not
throttled (the rate limiter still runs its Redis script on every request)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from coldchain_devtools.testing import dev_key_headers, free_port

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("tracking", "ingest", "orders", "dispatch", "gateway")
UNTHROTTLED = {
    f"GATEWAY_RATE_{name}": "100000000/60s"
    for name in (
        "INGEST_PRINCIPAL",
        "INGEST_IP",
        "READ_PRINCIPAL",
        "READ_IP",
        "WRITE_PRINCIPAL",
        "WRITE_IP",
    )
}
AUTH = dev_key_headers()


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


@dataclass(frozen=True)
class Infra:
    kafka: str
    database_url: str
    redis_url: str

    @classmethod
    def from_env(cls) -> Infra:
        return cls(os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["DATABASE_URL"], os.environ["REDIS_URL"])


def log_dir() -> Path:
    return Path(os.environ.get("COLDCHAIN_LOCAL_DIR", REPO / ".local")) / "bench-logs"


@contextmanager
def running_services(infra: Infra, log_dir: Path) -> Iterator[dict[str, int]]:
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "DATABASE_URL": infra.database_url,
        "REDIS_URL": infra.redis_url,
        "GATEWAY_TRACKING_URL": f"http://127.0.0.1:{ports['tracking']}",
        "LOG_LEVEL": "WARNING",
        "GATEWAY_DEV_MODE": "true",  # the documented dev integration key (AUTH) posts and reads
        **UNTHROTTLED,
        **{f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()},
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in SERVICES:
            with (log_dir / f"{name}.log").open("ab") as out:
                procs[name] = subprocess.Popen(
                    [sys.executable, "-m", f"coldchain_{name}"], stdout=out, stderr=subprocess.STDOUT, env=env
                )
        for name in SERVICES:
            deadline = time.monotonic() + 120
            while True:
                if procs[name].poll() is not None:
                    raise SystemExit(f"{name} exited; see {log_dir / (name + '.log')}")
                try:
                    if httpx.get(f"http://127.0.0.1:{ports[name]}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} not ready; see {log_dir / (name + '.log')}")
                time.sleep(0.3)
        log(f"services up: {ports}")
        yield ports
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
