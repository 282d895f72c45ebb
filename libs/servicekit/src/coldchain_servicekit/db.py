"""Async SQLAlchemy engine construction and the database readiness check."""

from __future__ import annotations

import ssl
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from coldchain_servicekit.health import ReadinessCheck


def connect_args(tls: ssl.SSLContext | str | None, application_name: str | None = None) -> dict[str, Any]:
    """asyncpg's arguments; `tls` from `transport_security.postgres_ssl` (None: the URL's).

    `application_name` names the service in `pg_stat_activity` (which connections are whose).
    """
    # A stopped server must fail readiness quickly, not after the OS TCP timeout.
    args: dict[str, Any] = {"timeout": 3, "command_timeout": 30}
    if tls is not None:
        args["ssl"] = tls
    if application_name is not None:
        args["server_settings"] = {"application_name": application_name}
    return args


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    tls: ssl.SSLContext | str | None = None,
    application_name: str | None = None,
) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args(tls, application_name),
    )


def postgres_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check
