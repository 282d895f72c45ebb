"""Exactly one polling replica: whoever holds a PostgreSQL session advisory lock.

The lock lives as long as the connection that took it, so a replica that dies or loses
its database connection hands leadership over without any lease bookkeeping. The
connection runs in autocommit, so it never idles inside a transaction.
"""

from __future__ import annotations

import contextlib
import zlib

from prometheus_client import Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
LEADER = Gauge("ingest_uvis_leader", "1 while this replica holds the UVIS polling lock", ["lock"])


def lock_id(name: str) -> int:
    return zlib.crc32(f"coldchain-{name}".encode())


class AdvisoryLeadership:
    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self._engine = engine
        self._name = name
        self._id = lock_id(name)
        self._conn: AsyncConnection | None = None

    async def is_leader(self) -> bool:
        """Whether this replica leads now: checks the held connection, or tries to take the lock."""
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception as exc:  # noqa: BLE001 - a broken connection means the lock is gone
                log.warning("lost leadership", lock=self._name, error=repr(exc)[:200])
                await self._drop()
        conn = await (await self._engine.connect()).execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = (await conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": self._id})).scalar()
        except BaseException:
            await conn.close()
            raise
        if taken:
            self._conn = conn
            LEADER.labels(self._name).set(1)
            log.info("took leadership", lock=self._name)
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self._id})
        finally:
            await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        LEADER.labels(self._name).set(0)
        if conn is not None:
            # Already broken, maybe: the server frees the lock with the session anyway.
            with contextlib.suppress(Exception):
                await conn.close()
