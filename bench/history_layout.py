"""History layout benchmark: daily partitions (what tracking uses) against one table + BRIN.

    DATABASE_URL=postgresql+asyncpg://... python bench/history_layout.py [--vehicles N] [--days D] [--every-s S]

In a scratch database, loads the same synthetic fixes (N vehicles, one fix every S
seconds for D days, server-side with generate_series) into:

* `partitioned`: tracking's schema (migrations), one partition per day, PK per partition;
* `brin`: one table, the same primary key (the upsert needs it) plus BRIN on device_time;
* `brin_only`: one table with only BRIN on device_time (what BRIN alone would give).

Measures a vehicle's one-hour window (the positions / temperature-log query, 200
random vehicles), retention of the oldest day (DROP TABLE of a partition against
DELETE plus the VACUUM it needs), and index sizes. Prints a table and `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from coldchain_servicekit.db import make_engine
from coldchain_servicekit.migrations import upgrade_async
from coldchain_tracking.app import SCHEMA_DEF
from coldchain_tracking.partitions import PartitionMaintainer, PartitionPolicy

LOAD = """
INSERT INTO {table} (vehicle_id, device_time, device_id, received_at, latitude, longitude, speed_kmh,
                     temperatures, attributes, event_id, gps_valid)
SELECT 'v-' || lpad(v::text, 5, '0'), t, 'd', t, 37.5, 127.0, 40,
       '[{{"channel": "A", "celsius": -19.5, "state": "ok"}}]', '{{}}', gen_random_uuid(), true
FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 microsecond', make_interval(secs => $3)) AS t,
     generate_series(1, $4) AS v
ORDER BY t, v
"""
WINDOW = (
    "SELECT device_time, temperatures FROM {table} WHERE vehicle_id = $1"
    " AND device_time >= $2 AND device_time < $3 ORDER BY device_time LIMIT 1000"
)


async def window_ms(conn: asyncpg.Connection, table: str, vehicles: int, start: datetime, days: int) -> float:
    rng = random.Random(7)  # noqa: S311 - a reproducible sample, not a secret
    sql = WINDOW.format(table=table)
    took = []
    for _ in range(200):
        vehicle = f"v-{rng.randint(1, vehicles):05d}"
        lo = start + timedelta(minutes=rng.randint(0, days * 24 * 60 - 60))
        began = time.perf_counter()
        await conn.fetch(sql, vehicle, lo, lo + timedelta(hours=1))
        took.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(took), 3)


async def buffers(conn: asyncpg.Connection, table: str, vehicles: int, start: datetime) -> int:
    """Shared buffers touched by one window query (EXPLAIN ANALYZE BUFFERS)."""
    plan = await conn.fetchval(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + WINDOW.format(table=table),
        f"v-{vehicles // 2:05d}",
        start + timedelta(hours=5),
        start + timedelta(hours=6),
    )
    top = json.loads(plan)[0]["Plan"]
    return int(top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0))


async def index_bytes(conn: asyncpg.Connection, table: str) -> int:
    """Indexes of a table, or of all its partitions."""
    size: int = await conn.fetchval(
        "SELECT coalesce((SELECT sum(pg_indexes_size(relid)) FROM pg_partition_tree($1::regclass)),"
        " pg_indexes_size($1::regclass))::bigint",
        table,
    )
    return size


async def main(vehicles: int, days: int, every_s: int) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "postgresql+asyncpg://coldchain@127.0.0.1:15432/coldchain")
    admin = url.replace("+asyncpg", "")
    name = f"coldchain_layout_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    bench_url = url.rsplit("/", 1)[0] + "/" + name
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=days)
    result: dict[str, Any] = {"vehicles": vehicles, "days": days, "every_s": every_s}
    try:
        await upgrade_async(bench_url, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
        engine = make_engine(bench_url)
        last = (end - timedelta(days=1)).date()
        await PartitionMaintainer(engine, PartitionPolicy(behind_days=days - 1, ahead_days=0)).run(today=last)
        await engine.dispose()
        conn = await asyncpg.connect(bench_url.replace("+asyncpg", ""))
        await conn.execute("CREATE TABLE tracking.brin (LIKE tracking.positions INCLUDING DEFAULTS)")
        await conn.execute("ALTER TABLE tracking.brin ADD PRIMARY KEY (vehicle_id, device_time)")
        await conn.execute("CREATE INDEX brin_time ON tracking.brin USING brin (device_time)")
        await conn.execute("CREATE TABLE tracking.brin_only (LIKE tracking.positions INCLUDING DEFAULTS)")
        await conn.execute("CREATE INDEX brin_only_time ON tracking.brin_only USING brin (device_time)")
        tables = {
            "partitioned": "tracking.positions",
            "brin": "tracking.brin",
            "brin_only": "tracking.brin_only",
        }
        for layout, table in tables.items():
            began = time.perf_counter()
            await conn.execute(LOAD.format(table=table), start, end, every_s, vehicles)
            result[f"{layout}_load_s"] = round(time.perf_counter() - began, 2)
            await conn.execute(f"VACUUM ANALYZE {table}")
        result["rows"] = await conn.fetchval("SELECT count(*) FROM tracking.brin")
        for layout, table in tables.items():
            result[f"{layout}_window_ms"] = await window_ms(conn, table, vehicles, start, days)
            result[f"{layout}_window_buffers"] = await buffers(conn, table, vehicles, start)
            result[f"{layout}_index_mb"] = round(float(await index_bytes(conn, table)) / 2**20, 1)
        oldest = f"positions_p{start:%Y%m%d}"
        began = time.perf_counter()
        await conn.execute(f"DROP TABLE tracking.{oldest}")
        result["partitioned_retention_s"] = round(time.perf_counter() - began, 3)
        for layout in ("brin", "brin_only"):
            began = time.perf_counter()
            await conn.execute(
                f"DELETE FROM tracking.{layout} WHERE device_time < $1", start + timedelta(days=1)
            )
            result[f"{layout}_retention_delete_s"] = round(time.perf_counter() - began, 3)
            began = time.perf_counter()
            await conn.execute(f"VACUUM tracking.{layout}")
            result[f"{layout}_retention_vacuum_s"] = round(time.perf_counter() - began, 3)
        await conn.close()
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
    print(f"{result['rows']} rows: {vehicles} vehicles, a fix every {every_s} s, {days} days")
    print(f"{'layout':<12} {'load s':>8} {'1 h window ms':>14} {'buffers':>8} {'index MB':>9}")
    for layout in ("partitioned", "brin", "brin_only"):
        print(
            f"{layout:<12} {result[f'{layout}_load_s']:>8} {result[f'{layout}_window_ms']:>14}"
            f" {result[f'{layout}_window_buffers']:>8} {result[f'{layout}_index_mb']:>9}"
        )
    print(
        f"drop oldest day: partitioned DROP {result['partitioned_retention_s']} s;"
        f" brin DELETE {result['brin_retention_delete_s']} s + VACUUM {result['brin_retention_vacuum_s']} s"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--every-s", type=int, default=120)
    args = parser.parse_args()
    print("RESULT " + json.dumps(asyncio.run(main(args.vehicles, args.days, args.every_s))))
