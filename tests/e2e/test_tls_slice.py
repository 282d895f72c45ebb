"""The telemetry slice over TLS: the running system reaches Kafka, PostgreSQL and Redis the way
it reaches MSK, RDS and ElastiCache (SASL_SSL with SCRAM-SHA-512, sslmode verify-full,
rediss:// with AUTH), with a CA the test setup made (`infra.py up`, `testing_tls`).

A fix posted to the gateway becomes live state and history; then the servers themselves
say how the services are connected: every PostgreSQL connection of a service is
encrypted, every Redis connection of the services' user arrived on the TLS port. Kafka
needs no such look: the services know only the SASL_SSL listener's address, which speaks
nothing else.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from coldchain_devtools.processes import SERVICES
from coldchain_devtools.simulator import DEV_INGEST_KEY
from coldchain_devtools.testing import Infra, RunningSystem, eventually

pytestmark = pytest.mark.e2e


async def test_a_fix_travels_the_slice_over_tls_and_sasl(running_system: RunningSystem, infra: Infra) -> None:
    tls = running_system.tls
    assert tls is not None, "infra.py did not serve TLS (COLDCHAIN_TLS_*): run under `make test`"
    vehicle = f"e2e-tls-{uuid.uuid4().hex[:8]}"
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2)
    fix = {
        "device_id": vehicle,
        "time": at.isoformat(),
        "latitude": 37.4979,
        "longitude": 127.0276,
        "speed_kmh": 40.0,
        "temperatures": [{"channel": "A", "celsius": -18.0}],
    }
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=10, headers={"X-API-Key": DEV_INGEST_KEY}
    ) as gateway:
        posted = await gateway.post("/v1/telemetry/gps", json={"fixes": [fix]})
        assert posted.status_code == 202, posted.text

        async def live_state() -> dict[str, Any] | None:
            response = await gateway.get(f"/v1/vehicles/{vehicle}/state")
            return response.json() if response.status_code == 200 else None  # type: ignore[no-any-return]

        live = await eventually(live_state, timeout_s=15)
        assert live["temperatures"][0]["celsius"] == -18.0
        history = await gateway.get(
            f"/v1/vehicles/{vehicle}/positions",
            params={"from": (at - timedelta(minutes=1)).isoformat(), "to": datetime.now(UTC).isoformat()},
        )
        assert history.status_code == 200, history.text
        assert len(history.json()["positions"]) == 1

    # PostgreSQL: the services' connections (named coldchain-<service>) are all encrypted.
    conn = await asyncpg.connect(infra.database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
            "WHERE a.application_name LIKE 'coldchain-%' AND a.datname = $1",
            running_system.database_url.rsplit("/", 1)[1],
        )
    finally:
        await conn.close()
    names = {r["application_name"] for r in rows}
    assert {f"coldchain-{s}" for s in ("gateway", "ingest", "tracking")} <= names, names
    assert names <= {f"coldchain-{s}" for s in SERVICES}
    assert all(r["ssl"] for r in rows), [r["application_name"] for r in rows if not r["ssl"]]

    # Redis: the services' user is connected, and only through the TLS port.
    tls_port = int(tls.redis_url.rsplit(":", 1)[1].split("/")[0])
    plain = aioredis.from_url(infra.redis_url)
    try:
        clients = await plain.client_list()
    finally:
        await plain.aclose()
    ours = [c for c in clients if c.get("user") == tls.username]
    assert ours, "no Redis connection of the services' user"
    assert {int(c["laddr"].rsplit(":", 1)[1]) for c in ours} == {tls_port}
