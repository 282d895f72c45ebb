"""One plan solve per horizon across every dispatch replica.

Replicas share a consumer group, so one `RequestPlan` reaches one replica, but two
requests for the same horizon can land on two replicas at once: both would read the same
open orders and publish conflicting assignments. A PostgreSQL session advisory lock keyed
on the horizon is held from reading the inputs to publishing the plan; the second replica
waits (at most the first one's solve time limit) and then plans on the first one's
result. The lock lives in the dispatch schema's database and dies with its connection, so
a replica killed mid-solve frees it at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_LOCK = text("SELECT pg_advisory_lock(hashtextextended(:key, 0))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))")


def horizon_key(start: datetime, end: datetime) -> str:
    return f"dispatch.plan:{start.isoformat()}/{end.isoformat()}"


class HorizonLock(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class LocalOnly:
    """No cross-process lock (one replica, in-memory tests): the planner's own lock suffices."""

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        yield


class PgHorizonLock:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._engine.connect() as conn:
            await conn.execute(_LOCK, {"key": key})
            await conn.commit()  # the lock is the session's, not the transaction's
            try:
                yield
            finally:
                await conn.execute(_UNLOCK, {"key": key})
                await conn.commit()
