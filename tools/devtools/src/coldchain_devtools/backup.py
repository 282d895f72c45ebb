"""Back up and restore a Coldchain system: per-schema PostgreSQL dumps, then the derived parts.

    python -m coldchain_devtools backup [--dir DIR]     (default backups/<UTC time>)
    python -m coldchain_devtools restore --dir DIR

Reads `DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS` and `REDIS_URL` (`make backup` / `make
restore` take them from the local infrastructure).

What is durable lives in PostgreSQL, one schema per service, so a backup is one
`pg_dump --format=custom --schema=<svc>` per service (each a consistent snapshot of its
schema; the services keep running) plus `manifest.json`. Everything else is rebuilt:

- Kafka topics are recreated from the registry. The compacted topics carry state other
  services project: `fleet.vehicles.v1` and `fleet.sites.v1` are republished by their owner
  from its tables (`python -m coldchain_orders republish-reference`; its outbox is emptied
  once relayed, so the tables are the only copy), and `tracking.vehicle-state.v1` by
  tracking after it rebuilt Redis (`rebuild-live-state`, then `republish-states`).
  `fleet.devices.v1` is not republished: its one consumer is ingest, whose projection
  (`ingest.devices`) is in its restored schema. `dispatch.assignments.v1` is not either:
  the routes are in `dispatch` and in the projections of orders and tracking; a downstream
  subscriber sees the next revision. `orders.events.v1`, `tracking.events.v1` and the raw
  fix topics are streams whose effects are in the restored schemas.
- Redis: tracking's live state is rebuilt from history; the gateway's rate-limit buckets
  start full again.

Restore runs with the services stopped: it restores every schema (`pg_restore --clean`,
creating the database if it was dropped), recreates the topics, then runs the owners'
commands above. Start the services afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from coldchain_devtools.processes import SERVICES
from coldchain_devtools.topics import ensure_topics

SCHEMAS = ("gateway", "ingest", "tracking", "orders", "dispatch", "notify")
assert set(SCHEMAS) == set(SERVICES)


def pg_program(name: str) -> str:
    """`pg_dump`/`pg_restore` of the newest PostgreSQL under /usr/lib/postgresql (the local
    infrastructure's), else the one on PATH."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    program = found[-1] if found else shutil.which(name)
    if program is None:
        raise SystemExit(f"{name} not found (install PostgreSQL's client programs)")
    return program


def libpq_url(database_url: str) -> str:
    """SQLAlchemy's `postgresql+asyncpg://` as the `postgresql://` libpq and asyncpg read."""
    return database_url.replace("+asyncpg", "", 1)


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def backup(target: Path, database_url: str) -> dict[str, object]:
    target.mkdir(parents=True, exist_ok=True)
    dsn, dump = libpq_url(database_url), pg_program("pg_dump")
    started = time.monotonic()
    files = {}
    for schema in SCHEMAS:
        path = target / f"{schema}.dump"
        _run([dump, "--format=custom", f"--schema={schema}", "--no-owner", f"--file={path}", dsn])
        files[schema] = path.stat().st_size
    manifest = {
        "taken_at": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - started, 2),
        "schemas": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


async def _ensure_database(dsn: str) -> None:
    parts = urlsplit(dsn)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def restore(
    source: Path, database_url: str, kafka: str, env: dict[str, str] | None = None
) -> dict[str, object]:
    """`env`: the owners' commands' environment (default this process's)."""
    manifest = json.loads((source / "manifest.json").read_text())
    dsn, pg_restore = libpq_url(database_url), pg_program("pg_restore")
    timings: dict[str, float] = {}
    started = time.monotonic()
    asyncio.run(_ensure_database(dsn))
    for schema in SCHEMAS:
        path = source / f"{schema}.dump"
        _run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={dsn}",
                str(path),
            ]
        )
    timings["postgres_s"] = time.monotonic() - started
    mark = time.monotonic()
    asyncio.run(ensure_topics(kafka))
    timings["topics_s"] = time.monotonic() - mark
    outputs = {}
    for module, command in (
        ("coldchain_orders", "republish-reference"),
        ("coldchain_tracking", "rebuild-live-state"),
        ("coldchain_tracking", "republish-states"),
    ):
        mark = time.monotonic()
        out = _run([sys.executable, "-m", module, command], env=env or dict(os.environ))
        outputs[command] = json.loads(out.strip().splitlines()[-1])
        timings[f"{command}_s"] = time.monotonic() - mark
    timings["total_s"] = time.monotonic() - started
    return {
        "backup_taken_at": manifest["taken_at"],
        **outputs,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="coldchain_devtools backup|restore")
    parser.add_argument("action", choices=("backup", "restore"))
    parser.add_argument("--dir", type=Path, help="backup directory (backup: default backups/<UTC time>)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgresql+asyncpg://coldchain@127.0.0.1:15432/coldchain")
    if args.action == "backup":
        target = args.dir or Path("backups") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        print(json.dumps({"dir": str(target), **backup(target, database_url)}))
    else:
        if args.dir is None:
            raise SystemExit("restore needs --dir <backup directory>")
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
        print(json.dumps(restore(args.dir, database_url, kafka)))
