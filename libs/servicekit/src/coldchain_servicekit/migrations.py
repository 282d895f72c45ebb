"""Alembic migrations per service schema, run from code.

Each service keeps its migrations in `<package>/migrations` with a three-line env.py
that calls `run_env(metadata)`. The version table lives inside the service's schema,
and an advisory lock serialises replicas that start at the same time.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from coldchain_servicekit.db import connect_args


def alembic_config(
    database_url: str, schema: str, script_location: Path, tls: ssl.SSLContext | str | None = None
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    cfg.attributes["tls"] = tls  # asyncpg's ssl argument (transport_security.postgres_ssl)
    return cfg


def upgrade(
    database_url: str,
    schema: str,
    script_location: Path,
    revision: str = "head",
    tls: ssl.SSLContext | str | None = None,
) -> None:
    """Blocking; call it in a thread from async code (env.py runs its own event loop)."""
    command.upgrade(alembic_config(database_url, schema, script_location, tls), revision)


async def upgrade_async(
    database_url: str, schema: str, script_location: Path, tls: ssl.SSLContext | str | None = None
) -> None:
    await asyncio.to_thread(upgrade, database_url, schema, script_location, "head", tls)


def _lock_id(schema: str) -> int:
    return zlib.crc32(f"coldchain-migrate-{schema}".encode())


def _do_run(connection: Connection, metadata: MetaData, schema: str) -> None:
    connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _lock_id(schema)})
    try:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=False,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _lock_id(schema)})
        connection.commit()


def run_env(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py (online mode only)."""
    cfg = context.config
    schema: str = cfg.attributes["schema"]

    async def run() -> None:
        engine = async_engine_from_config(
            cfg.get_section(cfg.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
            connect_args=connect_args(cfg.attributes.get("tls")),
        )
        async with engine.connect() as conn:
            await conn.run_sync(_do_run, metadata, schema)
        await engine.dispose()

    asyncio.run(run())
