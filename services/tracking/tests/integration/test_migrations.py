"""Migration 0002 keeps the rows of the unpartitioned history, each in its day's partition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import pytest
from sqlalchemy import text

from coldchain_devtools.testing import Infra
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.migrations import upgrade
from coldchain_tracking.app import SCHEMA_DEF

pytestmark = pytest.mark.integration


@pytest.fixture
async def fresh_database(infra: Infra) -> AsyncIterator[str]:
    admin = infra.database_url.replace("+asyncpg", "")
    name = f"coldchain_mig_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield infra.database_url.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def test_rows_of_the_unpartitioned_table_survive_into_day_partitions(fresh_database: str) -> None:
    await asyncio.to_thread(upgrade, fresh_database, SCHEMA_DEF.name, SCHEMA_DEF.migrations, "0001")
    engine = make_engine(fresh_database)
    insert = text(
        "INSERT INTO tracking.positions (vehicle_id, device_time, device_id, received_at, latitude, longitude,"
        " temperatures, attributes, event_id) VALUES (:v, :t, 'd', :t, 37.5, 127.0,"
        ' \'[{"channel": "A", "celsius": -19.0}]\', \'{}\', gen_random_uuid())'
    )
    times = ["2026-11-24T23:59:59.999999Z", "2026-11-25T00:00:00Z", "2026-11-25T10:00:00Z"]
    async with engine.begin() as conn:
        for t in times:
            await conn.execute(insert, {"v": "old-1", "t": datetime.fromisoformat(t)})
    await engine.dispose()
    await asyncio.to_thread(upgrade, fresh_database, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
    engine = make_engine(fresh_database)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT tableoid::regclass::text, temperatures, gps_valid FROM tracking.positions"
                    " WHERE vehicle_id = 'old-1' ORDER BY device_time"
                )
            )
        ).all()
        old_table = await conn.scalar(text("SELECT to_regclass('tracking.positions_unpartitioned')"))
    await engine.dispose()
    assert [r[0] for r in rows] == [
        "tracking.positions_p20261124",
        "tracking.positions_p20261125",
        "tracking.positions_p20261125",
    ]
    assert rows[0][1] == [{"channel": "A", "celsius": -19.0}]
    assert all(r[2] is True for r in rows), "fixes stored before gps_valid existed were valid ones"
    assert old_table is None
