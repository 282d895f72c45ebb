"""Daily partitions of `tracking.positions`: created ahead, dropped after retention.

Run at start and then periodically by every replica; every step is idempotent and
`tracking.ensure_positions_partition` serialises concurrent creators, so replicas
need no leader. A fix whose day has no partition lands in DEFAULT and is moved into
its partition if that day is ever created (see migration 0002), so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import utcnow
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
_NAME = re.compile(r"^positions_p(\d{8})$")


@dataclass(frozen=True, slots=True)
class PartitionPolicy:
    behind_days: int = 2
    ahead_days: int = 2
    retention_days: int | None = None
    """None keeps history forever (compliance records); else whole days older are dropped."""
    inbox_keep_days: int = 35
    """Event ids remembered for dedupe: longer than tracking.events.v1's 4-week retention."""


def days_to_ensure(today: date, policy: PartitionPolicy) -> list[date]:
    return [today + timedelta(days=d) for d in range(-policy.behind_days, policy.ahead_days + 1)]


def partition_day(name: str) -> date | None:
    match = _NAME.match(name)
    return datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def expired(names: Iterable[str], today: date, policy: PartitionPolicy) -> list[str]:
    """Partitions whose whole day is older than the retention (never DEFAULT)."""
    if policy.retention_days is None:
        return []
    oldest_kept = today - timedelta(days=policy.retention_days)
    return sorted(n for n in names if (day := partition_day(n)) is not None and day < oldest_kept)


class PartitionMaintainer:
    def __init__(self, engine: AsyncEngine, policy: PartitionPolicy) -> None:
        self._engine = engine
        self._policy = policy

    async def run(self, today: date | None = None) -> list[str]:
        """Ensure the window of partitions, drop expired ones; returns partitions created."""
        today = today or utcnow().date()
        created = []
        for day in days_to_ensure(today, self._policy):
            # One transaction per day: the function locks DEFAULT while it moves rows.
            async with self._engine.begin() as conn:
                made = await conn.scalar(text("SELECT tracking.ensure_positions_partition(:d)"), {"d": day})
            if made:
                created.append(f"positions_p{day:%Y%m%d}")
        dropped = expired(await self.partitions(), today, self._policy)
        for name in dropped:
            async with self._engine.begin() as conn:
                await conn.execute(text(f'DROP TABLE IF EXISTS tracking."{name}"'))
        async with self._engine.begin() as conn:
            await conn.execute(
                text(
                    "DELETE FROM tracking.projected_events WHERE projected_at < now() - make_interval(days => :d)"
                ),
                {"d": self._policy.inbox_keep_days},
            )
        if created or dropped:
            log.info("history partitions maintained", created=created, dropped=dropped)
        return created

    async def partitions(self) -> list[str]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " WHERE i.inhparent = 'tracking.positions'::regclass ORDER BY c.relname"
                )
            )
            return [r[0] for r in rows]
