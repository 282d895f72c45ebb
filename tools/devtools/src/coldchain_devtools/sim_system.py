"""A whole Coldchain of its own for one simulated day: private Kafka, PostgreSQL and Redis
(`deploy/local/infra.py` on free ports, in a throwaway state directory) and the five
services as processes, configured for compressed time (`SIM_SERVICE_ENV`).

Each run gets a fresh system, so two runs (greedy, optimiser) start from the same empty
state, and the run can share the machine with `make run` and `make test` without seeing
their topics, consumer groups or rows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coldchain_devtools.processes import SERVICES, NotReady, all_services, service_env
from coldchain_devtools.sim_day import DayRun, DaySpec, simulate_day
from coldchain_devtools.testing import free_port
from coldchain_devtools.topics import ensure_topics
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

REPO = Path(__file__).resolve().parents[4]
INFRA_SCRIPT = REPO / "deploy" / "local" / "infra.py"
# Compressed time (docs/architecture.md, "Simulated days run ahead of the clock"): the
# day replayed is ahead of the wall clock, so ingest accepts device times up to 3 days ahead; dispatch cuts plans at the
# fleet's newest device time; tracking's reorder buffer is one simulated minute (the
# simulator posts in order) and a quiet vehicle's buffer is flushed after 5 wall seconds.
SIM_SERVICE_ENV = {
    "INGEST_MAX_FUTURE_S": str(3 * 86400),
    "DISPATCH_CLOCK": "fleet",
    "TRACKING_LATENESS_S": "60",
    "TRACKING_FLUSH_AFTER_S": "5",
    "GATEWAY_DEV_MODE": "true",  # the documented dev credentials (admin, integration key)
    "INGEST_OSMAND_ENABLED": "false",  # fixes come through the gateway; no fixed ports to clash
    "INGEST_TELTONIKA_ENABLED": "false",
    "LOG_LEVEL": "INFO",
    **{
        f"GATEWAY_RATE_{name}": "100000000/60s"
        for name in (
            "INGEST_PRINCIPAL",
            "INGEST_IP",
            "READ_PRINCIPAL",
            "READ_IP",
            "WRITE_PRINCIPAL",
            "WRITE_IP",
        )
    },
}


@dataclass(frozen=True)
class SimInfra:
    kafka: str
    database_url: str
    redis_url: str
    state: Path


def _kafka_ports() -> int:
    """A free port whose successor (Kafka's controller listener) is free too."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free pair of ports for Kafka")


def _infra(action: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(INFRA_SCRIPT), action], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"infra.py {action} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def private_infra(root: Path) -> Iterator[SimInfra]:
    state = root / f"sim-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "COLDCHAIN_LOCAL_DIR": str(state),
        "COLDCHAIN_DURABLE": "false",
        "COLDCHAIN_KAFKA_PORT": str(_kafka_ports()),
        "COLDCHAIN_PG_PORT": str(free_port()),
        "COLDCHAIN_REDIS_PORT": str(free_port()),
    }
    try:
        _infra("up", env)
        found = dict(
            line.removeprefix("export ").split("=", 1)
            for line in _infra("env", env).splitlines()
            if line.startswith("export ")
        )
        yield SimInfra(found["KAFKA_BOOTSTRAP_SERVERS"], found["DATABASE_URL"], found["REDIS_URL"], state)
    finally:
        try:
            _infra("down", env)
        finally:
            shutil.rmtree(state, ignore_errors=True)


@contextmanager
def running_services(infra: SimInfra, log_dir: Path) -> Iterator[dict[str, int]]:
    """The five services on free ports against `infra`; yields their ports."""
    ports = {name: free_port() for name in SERVICES}
    env = service_env(
        ports,
        kafka=infra.kafka,
        database_url=infra.database_url,
        redis_url=infra.redis_url,
        **SIM_SERVICE_ENV,
        COLDCHAIN_INTERNAL_TOKEN=os.environ.get("COLDCHAIN_INTERNAL_TOKEN", DEV_INTERNAL_TOKEN),
    )
    try:
        with all_services(env, ports, log_dir, timeout_s=300):
            yield ports
    except NotReady as exc:
        raise RuntimeError(str(exc)) from None


def simulate_engine(spec: DaySpec, engine: str, root: Path, say: Callable[[str], None] = print) -> DayRun:
    """One day with one engine on a fresh system of its own (infrastructure and services)."""
    with private_infra(root) as infra:
        asyncio.run(ensure_topics(infra.kafka))
        logs = root / "logs" / engine
        shutil.rmtree(logs, ignore_errors=True)
        with running_services(infra, logs) as ports:
            say(f"[{engine}] system up: {ports}")
            gateway = f"http://127.0.0.1:{ports['gateway']}"
            return asyncio.run(simulate_day(gateway, infra.kafka, spec, engine, say))
