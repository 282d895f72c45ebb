"""History write benchmark: the previous per-row insert paths against COPY, on real PostgreSQL.

    DATABASE_URL=postgresql+asyncpg://... python bench/history_write.py [--fixes N] [--batch B] [--rounds R]
    (or `make bench-history`, which starts its own PostgreSQL instance)

Creates a scratch database next to DATABASE_URL's, migrates tracking's schema into it,
creates the day partitions, and writes the same kind of batches (fixes of 1,000
vehicles, two reefer channels each) three ways, each into rows of its own:

* `sqlalchemy_rows`: the previous `PositionHistory.append`, SQLAlchemy Core
  `insert(...).on_conflict_do_nothing().returning(...)` with a list of row dicts;
* `executemany`: asyncpg `executemany` of one `INSERT ... ON CONFLICT DO NOTHING`;
* `copy`: the current `PositionHistory.append` (binary COPY into a staging table, then
  one `INSERT ... SELECT ... ON CONFLICT DO NOTHING`).

Then each batch again (a redelivery: all duplicates). Paths alternate within each
round; figures are the median over rounds. Prints a table and a final `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted, ReeferReading
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.migrations import upgrade_async
from coldchain_tracking.app import SCHEMA_DEF
from coldchain_tracking.db import positions
from coldchain_tracking.partitions import PartitionMaintainer, PartitionPolicy
from coldchain_tracking.repository import COLUMNS, PositionHistory, record

Writer = Callable[[Sequence[FixAccepted]], Awaitable[int]]


def previous_row(fix: FixAccepted) -> dict[str, Any]:
    """The row dict of the previous implementation, unchanged."""
    return {
        "vehicle_id": fix.vehicle_id,
        "device_time": fix.device_time,
        "device_id": fix.device_id,
        "received_at": fix.received_at,
        "latitude": fix.latitude,
        "longitude": fix.longitude,
        "speed_kmh": fix.speed_kmh,
        "heading": fix.heading,
        "altitude_m": fix.altitude_m,
        "accuracy_m": fix.accuracy_m,
        "ignition": fix.ignition,
        "odometer_km": fix.odometer_km,
        "battery_v": fix.battery_v,
        "door_open": fix.door_open,
        "defrost": fix.defrost,
        "temperatures": [t.model_dump(mode="json") for t in fix.temperatures],
        "attributes": fix.attributes,
        "event_id": fix.event_id,
    }


def sqlalchemy_rows(engine: AsyncEngine) -> Writer:
    async def write(fixes: Sequence[FixAccepted]) -> int:
        stmt = insert(positions).on_conflict_do_nothing(index_elements=["vehicle_id", "device_time"])
        async with engine.begin() as conn:
            result = await conn.execute(
                stmt.returning(positions.c.event_id), [previous_row(f) for f in fixes]
            )
            return len(result.all())

    return write


def executemany(engine: AsyncEngine) -> Writer:
    placeholders = ", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))
    sql = (
        f"INSERT INTO tracking.positions ({', '.join(COLUMNS)}) VALUES ({placeholders})"
        " ON CONFLICT (vehicle_id, device_time) DO NOTHING"
    )

    async def write(fixes: Sequence[FixAccepted]) -> int:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            pg = raw.driver_connection
            assert pg is not None
            async with pg.transaction():
                await pg.executemany(sql, [record(f) for f in fixes])
        return len(fixes)  # executemany reports no row counts

    return write


def batches(prefix: str, fixes: int, batch: int, start: datetime) -> list[list[FixAccepted]]:
    vehicles = [f"{prefix}-{i:04d}" for i in range(1000)]
    made = []
    for i in range(fixes):
        vehicle = vehicles[i % len(vehicles)]
        at = start + timedelta(seconds=30 * (i // len(vehicles)))
        made.append(
            FixAccepted(
                vehicle_id=vehicle,
                device_id=vehicle,
                source="bench",
                device_time=at,
                received_at=at + timedelta(seconds=2),
                latitude=37.0 + (i % 100) / 1000,
                longitude=127.0,
                speed_kmh=42.0,
                heading=90.0,
                ignition=True,
                odometer_km=1000.0 + i,
                temperatures=(
                    ReeferReading(channel="A", celsius=-19.5),
                    ReeferReading(channel="B", celsius=3.5),
                ),
                attributes={"fw": "1.2.3"},
            )
        )
    return [made[i : i + batch] for i in range(0, len(made), batch)]


async def timed(write: Writer, work: list[list[FixAccepted]]) -> float:
    started = time.perf_counter()
    for chunk in work:
        await write(chunk)
    return time.perf_counter() - started


async def scratch_database(url: str) -> tuple[str, str, str]:
    admin = url.replace("+asyncpg", "")
    name = f"coldchain_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin, name, url.rsplit("/", 1)[0] + "/" + name


async def main(fixes: int, batch: int, rounds: int) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "postgresql+asyncpg://coldchain@127.0.0.1:15432/coldchain")
    admin, name, bench_url = await scratch_database(url)
    engine = make_engine(bench_url)
    try:
        await upgrade_async(bench_url, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
        await PartitionMaintainer(engine, PartitionPolicy(behind_days=2, ahead_days=2)).run()
        writers = {
            "sqlalchemy_rows": sqlalchemy_rows(engine),
            "executemany": executemany(engine),
            "copy": PositionHistory(engine).append,
        }
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        new: dict[str, list[float]] = {k: [] for k in writers}
        replay: dict[str, list[float]] = {k: [] for k in writers}
        for r in range(rounds):
            order = list(writers) if r % 2 == 0 else list(reversed(writers))
            for path in order:
                work = batches(f"{path}-{r}", fixes, batch, start)
                new[path].append(fixes / await timed(writers[path], work))
                replay[path].append(fixes / await timed(writers[path], work))
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            assert raw.driver_connection is not None
            stored = await raw.driver_connection.fetchval("SELECT count(*) FROM tracking.positions")
        assert stored == fixes * rounds * len(writers), f"{stored} rows stored, expected every fix once"
    finally:
        await engine.dispose()
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
    result: dict[str, Any] = {"fixes_per_round": fixes, "batch": batch, "rounds": rounds}
    print(
        f"{'path':<16} {'new rows/s':>12} {'duplicates/s':>14}   ({fixes} fixes, batches of {batch}, median of {rounds})"
    )
    for path in writers:
        result[f"{path}_rows_per_s"] = round(statistics.median(new[path]))
        result[f"{path}_replay_rows_per_s"] = round(statistics.median(replay[path]))
        print(f"{path:<16} {result[f'{path}_rows_per_s']:>12} {result[f'{path}_replay_rows_per_s']:>14}")
    result["copy_vs_sqlalchemy_rows"] = round(
        result["copy_rows_per_s"] / result["sqlalchemy_rows_rows_per_s"], 2
    )
    result["copy_vs_executemany"] = round(result["copy_rows_per_s"] / result["executemany_rows_per_s"], 2)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixes", type=int, default=20_000, help="fixes per path and round")
    parser.add_argument(
        "--batch", type=int, default=500, help="fixes per batch (tracking's consumer_batch_max)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("RESULT " + json.dumps(asyncio.run(main(args.fixes, args.batch, args.rounds))))
