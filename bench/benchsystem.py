"""What the end-to-end benchmarks share: the local infrastructure's addresses and the five
services run as processes on free ports, with limits raised so the load is measured, not
throttled (the rate limiter still runs its Redis script on every request)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from coldchain_devtools.processes import SERVICES, NotReady, all_services, service_env
from coldchain_devtools.testing import dev_key_headers, free_port
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

REPO = Path(__file__).resolve().parents[1]
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
    env = service_env(
        ports,
        kafka=infra.kafka,
        database_url=infra.database_url,
        redis_url=infra.redis_url,
        LOG_LEVEL="WARNING",
        GATEWAY_DEV_MODE="true",  # the documented dev integration key (AUTH) posts and reads
        COLDCHAIN_INTERNAL_TOKEN=DEV_INTERNAL_TOKEN,
        **UNTHROTTLED,
    )
    try:
        with all_services(env, ports, log_dir, timeout_s=120):
            log(f"services up: {ports}")
            yield ports
    except NotReady as exc:
        raise SystemExit(str(exc)) from None
