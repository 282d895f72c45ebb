"""Backup, wipe, restore: the same vehicles, sites, orders, plans, history and live state through the API.

A system of its own (private Kafka, PostgreSQL and Redis, the five services as processes,
as `make simulate-day` runs them): the admin registers vehicles, a dispatcher creates sites
and places orders, trucks post fixes, a plan is made, all through the gateway. The backup
is taken with the services running; then the services stop and everything is wiped (the
database dropped, every topic deleted, Redis flushed), `restore` runs, the services start
again, and every read through the gateway answers what it answered before. Prints the
backup and restore times (docs/operations.md states them as RPO and RTO).
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from coldchain_devtools import sim_fleet, sim_orders
from coldchain_devtools.backup import backup, libpq_url, restore
from coldchain_devtools.sim_day import _planned, day_orders_of, tomorrow
from coldchain_devtools.sim_day_orders import day_orders
from coldchain_devtools.sim_seed import _admin, _dispatcher, _put_all, send
from coldchain_devtools.sim_system import SIM_SERVICE_ENV, SimInfra, private_infra, running_services
from coldchain_devtools.simulator import make_fleet
from coldchain_devtools.testing import LOCAL_DIR, eventually
from coldchain_devtools.topics import ensure_topics
from coldchain_gateway.settings import DEV_INGEST_KEY

pytestmark = pytest.mark.e2e
TRUCKS, ORDERS, TICKS = 3, 6, 12
ENVELOPE = {"event_id", "occurred_at", "causation_id", "correlation_id"}


async def seed(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        admin = await _admin(client)
        dispatcher = await _dispatcher(client, admin)
        sites = sim_orders.sites(sim_orders.ANCHORS)
        assert await _put_all(client, "/v1/sites", sites, dispatcher) == len(sites)
        fleet = sim_fleet.vehicles(TRUCKS, sim_orders.HUB)
        assert await _put_all(client, "/v1/fleet/vehicles", fleet, admin) == TRUCKS
        day = tomorrow()
        placed = await send(
            client,
            "POST",
            "/v1/orders",
            headers={**dispatcher, "Idempotency-Key": f"backup-{day}"},
            json={"orders": day_orders(day, ORDERS, 5)},
        )
        assert placed.status_code == 202, placed.text

        async def accepted() -> bool | None:
            statuses = [o["status"] for o in await day_orders_of(client, dispatcher, day)]
            return True if len(statuses) == ORDERS and set(statuses) == {"accepted"} else None

        await eventually(accepted, 60, 0.5)
        trucks = make_fleet(TRUCKS, home=sim_orders.HUB_POSITION)
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30 * TICKS)
        for tick in range(TICKS):
            for t in trucks:
                t.step(30)
            fixes = [t.fix(start + timedelta(seconds=30 * tick)) for t in trucks]
            posted = await send(
                client,
                "POST",
                "/v1/telemetry/gps",
                headers={"X-API-Key": DEV_INGEST_KEY},
                json={"fixes": fixes},
            )
            assert posted.status_code == 202, posted.text
        body = {
            "horizon_start": datetime.combine(day, datetime.min.time(), sim_orders.SEOUL).isoformat(),
            "horizon_end": (
                datetime.combine(day, datetime.min.time(), sim_orders.SEOUL) + timedelta(days=1)
            ).isoformat(),
            "engine": "greedy",
            "time_limit_s": 2,
            "vehicle_ids": [sim_fleet.vehicle_id(i) for i in range(TRUCKS)],
        }
        record, _ = await _planned(client, dispatcher, body, 2)
        assert record["status"] == "done", record
        newest = start + timedelta(seconds=30 * (TICKS - 1))

        async def analysed() -> bool | None:
            for i in range(TRUCKS):
                state = await client.get(f"/v1/vehicles/{sim_fleet.vehicle_id(i)}/state", headers=dispatcher)
                if state.status_code != 200:
                    return None
                body = state.json()
                if datetime.fromisoformat(body.get("analysed_until") or "2000-01-01T00:00:00+00:00") < newest:
                    return None
            return True

        await eventually(analysed, 60, 0.5)


async def snapshot(gateway: str, window: tuple[datetime, datetime]) -> dict[str, Any]:
    """Everything a person can read back through the gateway."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        from coldchain_devtools.sim_seed import DISPATCHER, _token

        auth = await _token(client, *DISPATCHER)  # the user itself is restored data
        admin = await _admin(client)

        async def get(path: str, headers: dict[str, str] = auth, **params: Any) -> Any:
            response = await send(client, "GET", path, headers=headers, params=params)
            assert response.status_code == 200, (path, response.status_code, response.text)
            return response.json()

        day = tomorrow().isoformat()
        plans = await get("/v1/dispatch/plans", limit=100)
        found: dict[str, Any] = {
            "vehicles": await get("/v1/fleet/vehicles", admin, limit=100),
            "sites": await get("/v1/sites", limit=100),
            "orders": await get("/v1/orders", date=day, limit=100),
            "plans": plans,
            "plan_records": [await get(f"/v1/dispatch/plans/{p['plan_id']}") for p in plans["plans"]],
            "live": await get("/v1/vehicles", limit=100),
        }
        since, until = (t.isoformat() for t in window)
        for i in range(TRUCKS):
            vid = sim_fleet.vehicle_id(i)
            state = await get(f"/v1/vehicles/{vid}/state")
            found[f"state:{vid}"] = {k: v for k, v in state.items() if k not in ENVELOPE}
            found[f"history:{vid}"] = await get(
                f"/v1/vehicles/{vid}/positions", **{"from": since, "to": until}
            )
        found["live"] = [{k: v for k, v in s.items() if k not in ENVELOPE} for s in found["live"]["vehicles"]]
        return found


async def wipe(infra: SimInfra) -> None:
    dsn = libpq_url(infra.database_url)
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()
    kafka = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await kafka.start()
    try:
        topics = [t for t in await kafka.list_topics() if not t.startswith("__")]
        await kafka.delete_topics(topics)
    finally:
        await kafka.close()
    redis = Redis.from_url(infra.redis_url)
    await redis.flushall()
    await redis.aclose()


@pytest.mark.timeout(900)  # a private system started twice, on a shared 2-core machine
def test_a_wiped_system_restored_from_its_backup_answers_as_before() -> None:
    root = LOCAL_DIR / "backup-restore-test"
    with private_infra(root) as infra:
        asyncio.run(ensure_topics(infra.kafka))
        with running_services(infra, root / "logs-before") as ports:
            gateway = f"http://127.0.0.1:{ports['gateway']}"
            asyncio.run(seed(gateway))
            window = (datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1))
            before = asyncio.run(snapshot(gateway, window))
            manifest = backup(infra.state / "backup", infra.database_url)
        print(f"backup: {manifest}")
        asyncio.run(wipe(infra))
        env = {
            **os.environ,
            **SIM_SERVICE_ENV,
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
            "DATABASE_URL": infra.database_url,
            "REDIS_URL": infra.redis_url,
        }
        began = time.monotonic()
        report = restore(infra.state / "backup", infra.database_url, infra.kafka, env)
        print(f"restore: {report}")
        with running_services(infra, root / "logs-after") as ports:
            print(f"restore to services ready: {time.monotonic() - began:.1f}s")
            after = asyncio.run(snapshot(f"http://127.0.0.1:{ports['gateway']}", window))
    assert len(before["vehicles"]["items"]) == len(before["live"]) == TRUCKS
    assert len(before["orders"]["items"]) == ORDERS
    assert before["plan_records"]
    assert all(before[f"history:{sim_fleet.vehicle_id(i)}"] for i in range(TRUCKS))
    for part in before:
        assert after[part] == before[part], part
