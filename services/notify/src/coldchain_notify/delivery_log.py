"""The delivery queue and log: enqueue, lease due deliveries, record each attempt, and
count a channel's consecutive failures (disabling it past the limit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_notify.db import channels, deliveries, delivery_attempts
from coldchain_notify.domain import consecutive_failures


async def enqueue(
    conn: AsyncConnection,
    *,
    channel_id: str,
    rule_id: str,
    event_id: uuid.UUID,
    alert_id: uuid.UUID | None,
    step: int,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
) -> bool:
    """A pending delivery; False if this (event, rule, channel, step) was enqueued before."""
    result = await conn.execute(
        insert(deliveries)
        .values(
            delivery_id=uuid.uuid4(),
            channel_id=channel_id,
            rule_id=rule_id,
            event_id=event_id,
            alert_id=alert_id,
            step=step,
            payload=payload,
            status="pending",
            due_at=due_at,
            created_at=now,
        )
        .on_conflict_do_nothing(constraint="deliveries_once")
    )
    return result.rowcount == 1


def delivery_view(row: RowMapping) -> dict[str, Any]:
    delivered = row["delivered_at"]
    return {
        "delivery_id": str(row["delivery_id"]),
        "channel_id": row["channel_id"],
        "rule_id": row["rule_id"],
        "event_id": str(row["event_id"]),
        "alert_id": str(row["alert_id"]) if row["alert_id"] else None,
        "type": row["payload"].get("type"),
        "step": row["step"],
        "status": row["status"],
        "attempts": row["attempts"],
        "last_status_code": row["last_status_code"],
        "last_error": row["last_error"],
        "created_at": row["created_at"].isoformat(),
        "delivered_at": delivered.isoformat() if delivered else None,
    }


async def claim_due(conn: AsyncConnection, now: datetime, lease: timedelta, limit: int) -> list[RowMapping]:
    """Due pending deliveries, leased to this replica: pushed `lease` into the future, so a
    replica that dies mid-send leaves them to be sent again, never lost."""
    due = (
        select(deliveries.c.delivery_id)
        .where(deliveries.c.status == "pending", deliveries.c.due_at <= now)
        .order_by(deliveries.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await conn.execute(
        update(deliveries)
        .where(deliveries.c.delivery_id.in_(due))
        .values(due_at=now + lease)
        .returning(
            deliveries.c.delivery_id, deliveries.c.channel_id, deliveries.c.payload, deliveries.c.attempts
        )
    )
    return list(result.mappings())


async def channels_by_id(conn: AsyncConnection, channel_ids: set[str]) -> dict[str, RowMapping]:
    result = await conn.execute(select(channels).where(channels.c.channel_id.in_(channel_ids)))
    return {row["channel_id"]: row for row in result.mappings()}


@dataclass(frozen=True)
class Attempt:
    """One attempt's result, as recorded."""

    delivery_id: uuid.UUID
    attempt: int
    status: str
    status_code: int | None
    error: str | None
    duration_ms: float
    next_due: datetime | None


async def record_attempts(conn: AsyncConnection, attempts: list[Attempt], now: datetime) -> None:
    """Every attempt of a round in two statements (executemany), not two per delivery."""
    if not attempts:
        return
    await conn.execute(
        insert(delivery_attempts).on_conflict_do_nothing(),
        [
            {
                "delivery_id": a.delivery_id,
                "attempt": a.attempt,
                "at": now,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
    )
    await conn.execute(
        update(deliveries)
        .where(deliveries.c.delivery_id == bindparam("b_id"))
        .values(
            attempts=bindparam("b_attempt"),
            status=bindparam("b_status"),
            last_status_code=bindparam("b_code"),
            last_error=bindparam("b_error"),
            due_at=bindparam("b_due"),
            delivered_at=bindparam("b_delivered"),
        ),
        [
            {
                "b_id": a.delivery_id,
                "b_attempt": a.attempt,
                "b_status": a.status,
                "b_code": a.status_code,
                "b_error": a.error,
                "b_due": a.next_due or now,
                "b_delivered": now if a.status == "delivered" else None,
            }
            for a in attempts
        ],
    )


async def channel_results(
    conn: AsyncConnection, channel_id: str, outcomes: list[bool], disable_after: int, now: datetime
) -> bool:
    """Count a round's outcomes against the channel (a success resets the count of consecutive
    failures); True when this round disabled it."""
    previous = await conn.scalar(
        select(channels.c.consecutive_failures).where(channels.c.channel_id == channel_id).with_for_update()
    )
    if previous is None:
        return False
    failures = consecutive_failures(previous, outcomes)
    if failures != previous:
        await conn.execute(
            update(channels).where(channels.c.channel_id == channel_id).values(consecutive_failures=failures)
        )
    if failures < disable_after:
        return False
    disabled = await conn.execute(
        update(channels)
        .where(channels.c.channel_id == channel_id, channels.c.enabled)
        .values(
            enabled=False,
            disabled_reason=f"disabled after {failures} consecutive failed attempts",
            updated_at=now,
        )
    )
    await cancel_pending(conn, channel_id, "channel disabled after repeated failures")
    return disabled.rowcount == 1


async def cancel_pending(conn: AsyncConnection, channel_id: str, reason: str) -> None:
    await conn.execute(
        update(deliveries)
        .where(deliveries.c.channel_id == channel_id, deliveries.c.status == "pending")
        .values(status="cancelled", last_error=reason)
    )


async def deliveries_of_channel(conn: AsyncConnection, channel_id: str, limit: int) -> list[dict[str, Any]]:
    result = await conn.execute(
        select(deliveries)
        .where(deliveries.c.channel_id == channel_id)
        .order_by(deliveries.c.created_at.desc())
        .limit(limit)
    )
    rows = [delivery_view(r) for r in result.mappings()]
    if rows:
        ids = [uuid.UUID(r["delivery_id"]) for r in rows]
        tries = await conn.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id.in_(ids))
            .order_by(delivery_attempts.c.attempt)
        )
        by_delivery: dict[str, list[dict[str, Any]]] = {}
        for t in tries.mappings():
            by_delivery.setdefault(str(t["delivery_id"]), []).append(
                {
                    "attempt": t["attempt"],
                    "at": t["at"].isoformat(),
                    "status_code": t["status_code"],
                    "error": t["error"],
                    "duration_ms": round(t["duration_ms"], 1),
                }
            )
        for r in rows:
            r["attempt_log"] = by_delivery.get(r["delivery_id"], [])
    return rows
