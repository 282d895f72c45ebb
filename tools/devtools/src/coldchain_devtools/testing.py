"""Pytest plugin: fixtures for tests that need the real infrastructure or the running system.

Infrastructure is started by `make test` (deploy/local/infra.py) or supplied through
`KAFKA_BOOTSTRAP_SERVERS`, `DATABASE_URL`, `REDIS_URL`; these fixtures never start it
themselves, they fail with the command to run. Each session gets its own database so
migrations run from scratch and no test sees another session's rows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from coldchain_devtools.processes import SERVICES, all_services, service_env
from coldchain_devtools.testing_tls import TlsInfra
from coldchain_devtools.topics import ensure_topics
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[4]
# `make test` points this at .local/test, so test state stays apart from `make run`'s.
LOCAL_DIR = Path(os.environ.get("COLDCHAIN_LOCAL_DIR") or REPO / ".local")
# Internal APIs need the service credential (servicekit internal_auth): services built
# in-process read it from here, `running_system`'s processes inherit it.
os.environ.setdefault("COLDCHAIN_INTERNAL_TOKEN", DEV_INTERNAL_TOKEN)


def internal_auth() -> dict[str, str]:
    """Headers of a caller of an internal API (what the gateway sends upstream)."""
    return {"Authorization": f"Bearer {os.environ['COLDCHAIN_INTERNAL_TOKEN']}"}


@dataclass(frozen=True)
class Infra:
    kafka: str
    database_url: str
    redis_url: str


@dataclass(frozen=True)
class RunningSystem:
    ports: dict[str, int]
    database_url: str
    device_ports: dict[str, int] = field(default_factory=dict)
    """Device protocol listeners (not services: no /readyz), e.g. "osmand"."""
    teltonika_port: int = 0  # ingest's Teltonika TCP server
    tls: TlsInfra | None = None
    """The servers the services reach over TLS with a password (None: plain, older infra)."""
    mail_port: int = 0
    """Where notify sends e-mail: a test starts its SMTP sink here (`notify_sinks.MailSink`)."""

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def device_url(self, protocol: str) -> str:
        return f"http://127.0.0.1:{self.device_ports[protocol]}"


def _reachable(host_port: str) -> bool:
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=2):
            return True
    except OSError:
        return False


def _host_port(url: str) -> str:
    parsed = urlsplit(url)
    return f"{parsed.hostname}:{parsed.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout_s: float = 10.0, interval_s: float = 0.05
) -> T:
    """Poll until `probe` returns something other than None, or fail at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        await asyncio.sleep(interval_s)


@pytest.fixture(scope="session")
def infra() -> Infra:
    found = Infra(
        kafka=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        database_url=os.environ.get(
            "DATABASE_URL", "postgresql+asyncpg://coldchain@127.0.0.1:15432/coldchain"
        ),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0"),
    )
    down = [
        name
        for name, addr in (
            ("Kafka", found.kafka),
            ("PostgreSQL", _host_port(found.database_url)),
            ("Redis", _host_port(found.redis_url)),
        )
        if not _reachable(addr)
    ]
    if down:
        pytest.fail(
            f"{', '.join(down)} not reachable; run the tests with `make test` (it starts them) or set the *_URL variables"
        )
    return found


@pytest.fixture(scope="session")
async def test_database(infra: Infra) -> AsyncIterator[str]:
    """A fresh database for this session, dropped at the end."""
    admin_dsn = infra.database_url.replace("+asyncpg", "")
    name = f"coldchain_test_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield infra.database_url.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def kafka_topics(infra: Infra) -> None:
    await ensure_topics(infra.kafka)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`running_system` only under tests/ (see its docstring)."""
    for item in items:
        if "running_system" in getattr(item, "fixturenames", ()) and not item.path.is_relative_to(
            REPO / "tests"
        ):
            raise pytest.UsageError(f"{item.nodeid}: running_system is for tests under tests/ only")


@pytest.fixture(scope="session")
def running_system(infra: Infra, test_database: str, kafka_topics: None) -> Iterator[RunningSystem]:
    """The five services as real processes on free ports, against the session database.

    Only for tests under `tests/` (collected last): once up, these services consume the
    shared topics in their real groups, which would compete with a service's own
    integration tests that run it in-process. They reach Kafka, PostgreSQL and Redis over
    verified TLS with passwords, as on AWS, whenever `infra.py` serves TLS (`testing_tls`).
    """
    tls = TlsInfra.from_env()
    log_dir = LOCAL_DIR / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in SERVICES}
    device_ports = {"osmand": free_port(), "teltonika": free_port()}  # ingest's device listeners
    teltonika_port = device_ports["teltonika"]
    mail_port = free_port()
    env = service_env(
        ports,
        kafka=infra.kafka,
        database_url=test_database,
        redis_url=infra.redis_url,
        INGEST_TELTONIKA_PORT=str(teltonika_port),
        INGEST_OSMAND_PORT=str(device_ports["osmand"]),
        GATEWAY_DEV_MODE="true",  # documented dev credentials (DEV_INGEST_KEY, admin password)
        GATEWAY_REDIS_KEY_PREFIX=f"gw-{uuid.uuid4().hex[:8]}:",  # Redis outlives test sessions
        # Notify: mail to the tests' sink, and short rounds so deliveries and escalations are prompt.
        NOTIFY_SMTP_PORT=str(mail_port),
        NOTIFY_DELIVER_EVERY_S="0.2",
        NOTIFY_ESCALATE_EVERY_S="0.5",
        NOTIFY_RETRY_BASE_S="0.5",
        **(tls.service_env() if tls is not None else {}),
    )
    with all_services(env, ports, log_dir):
        yield RunningSystem(
            ports=ports,
            database_url=test_database,
            device_ports=device_ports,
            teltonika_port=teltonika_port,
            tls=tls,
            mail_port=mail_port,
        )


@pytest.fixture
async def kafka_producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka, acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


async def find_record(
    bootstrap: str, topic: str, predicate: Callable[[ConsumerRecord], bool], timeout_s: float = 15.0
) -> ConsumerRecord:
    """Read `topic` from the beginning (no group) until a record matches."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if predicate(record):
                        return record
        raise AssertionError(f"no matching record on {topic} within {timeout_s}s")
    finally:
        await consumer.stop()


async def records_with_key(
    bootstrap: str,
    topic: str,
    key: bytes,
    done: Callable[[list[ConsumerRecord]], bool],
    timeout_s: float = 15.0,
) -> list[ConsumerRecord]:
    """Every record of `key` on `topic` from the beginning (no group), once `done` says so."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            found += [r for records in batches.values() for r in records if r.key == key]
            if done(found):
                return found
        raise AssertionError(
            f"records of {key!r} on {topic} incomplete within {timeout_s}s: {len(found)} found"
        )
    finally:
        await consumer.stop()


INFRA_SCRIPT = REPO / "deploy" / "local" / "infra.py"


class PrivatePostgres:
    """A throwaway PostgreSQL (own state dir and port) that a test may stop and restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.state = LOCAL_DIR / f"private-pg-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "COLDCHAIN_LOCAL_DIR": str(self.state), "COLDCHAIN_PG_PORT": str(self.port)}

    def _infra(self, action: str) -> None:
        subprocess.run(
            [sys.executable, str(INFRA_SCRIPT), action, "--only", "postgres"],
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._infra("up")

    def stop(self) -> None:
        self._infra("down")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://coldchain@127.0.0.1:{self.port}/coldchain"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(pg.state, ignore_errors=True)


# Dev-mode credentials the gateway accepts when GATEWAY_DEV_MODE=true (docs/gateway-security.md),
# which `running_system` sets.
def dev_key_headers() -> dict[str, str]:
    """The dev integration key: posts telemetry for any device and reads vehicles."""
    from coldchain_gateway.settings import DEV_INGEST_KEY

    return {"X-API-Key": DEV_INGEST_KEY}


async def dev_admin_headers(gateway_url: str) -> dict[str, str]:
    """A bearer token of the dev admin, obtained by the OAuth2 password flow."""
    from coldchain_gateway.settings import DEV_ADMIN_PASSWORD

    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        response = await client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": "admin", "password": DEV_ADMIN_PASSWORD},
        )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def register_device(
    gateway_url: str, device_id: str, protocol: str, vehicle_id: str | None = None
) -> None:
    """Register a device through the gateway as an admin would (`PUT /v1/devices/{id}`),
    and wait until ingest lists it. Outside dev mode the device ports accept only devices
    bound to a vehicle, so pass `vehicle_id` for a device that reports on one."""
    headers = await dev_admin_headers(gateway_url)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10, headers=headers) as client:
        body = {"vehicle_id": vehicle_id, "protocol": protocol}
        response = await client.put(f"/v1/devices/{device_id}", json=body)
        assert response.status_code == 202, response.text

        async def listed() -> bool | None:
            r = await client.get(f"/v1/devices/{device_id}")
            return True if r.status_code == 200 and r.json()["active"] else None

        await eventually(listed, timeout_s=15)
