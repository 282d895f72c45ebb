"""Persistence of rules, channels, incidents, acknowledgements and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_notify.db import acknowledgements, channels, deliveries, incidents, rules
from coldchain_notify.delivery_log import delivery_view
from coldchain_notify.rules import RuleSpec

DEFAULT_OPERATOR = "default"
"""Vehicles carry no operator yet: every tracking event belongs to the default operator."""
_RULE = TypeAdapter(RuleSpec)


async def rules_of(conn: AsyncConnection, operator_id: str) -> list[tuple[str, RuleSpec]]:
    result = await conn.execute(
        select(rules.c.rule_id, rules.c.spec)
        .where(rules.c.operator_id == operator_id)
        .order_by(rules.c.rule_id)
    )
    return [(row.rule_id, _RULE.validate_python(row.spec)) for row in result]


async def rule(conn: AsyncConnection, operator_id: str, rule_id: str) -> RuleSpec | None:
    spec = await conn.scalar(
        select(rules.c.spec).where(rules.c.operator_id == operator_id, rules.c.rule_id == rule_id)
    )
    return None if spec is None else _RULE.validate_python(spec)


async def channel_exists(conn: AsyncConnection, operator_id: str, channel_ids: list[str]) -> set[str]:
    found = await conn.scalars(
        select(channels.c.channel_id).where(
            channels.c.operator_id == operator_id, channels.c.channel_id.in_(channel_ids)
        )
    )
    return set(found)


async def open_incident(
    conn: AsyncConnection,
    *,
    alert_id: uuid.UUID,
    rule_id: str,
    vehicle_id: str,
    payload: dict[str, Any],
    next_escalation_at: datetime | None,
    now: datetime,
) -> bool:
    result = await conn.execute(
        insert(incidents)
        .values(
            alert_id=alert_id,
            rule_id=rule_id,
            operator_id=DEFAULT_OPERATOR,
            vehicle_id=vehicle_id,
            payload=payload,
            step=0,
            next_escalation_at=next_escalation_at,
            opened_at=now,
        )
        .on_conflict_do_nothing()
    )
    return result.rowcount == 1


async def resolve(conn: AsyncConnection, alert_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        update(incidents)
        .where(incidents.c.alert_id == alert_id, incidents.c.resolved_at.is_(None))
        .values(resolved_at=now, next_escalation_at=None)
    )


async def due_incidents(conn: AsyncConnection, now: datetime, limit: int) -> list[RowMapping]:
    """Unacknowledged, unresolved incidents whose next escalation is due, locked for this
    replica (others skip them)."""
    acked = select(acknowledgements.c.alert_id).where(acknowledgements.c.alert_id == incidents.c.alert_id)
    result = await conn.execute(
        select(incidents)
        .where(
            incidents.c.next_escalation_at <= now,
            incidents.c.resolved_at.is_(None),
            ~acked.exists(),
        )
        .order_by(incidents.c.next_escalation_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(result.mappings())


async def advance(
    conn: AsyncConnection, alert_id: uuid.UUID, rule_id: str, step: int, next_at: datetime | None
) -> None:
    await conn.execute(
        update(incidents)
        .where(incidents.c.alert_id == alert_id, incidents.c.rule_id == rule_id)
        .values(step=step, next_escalation_at=next_at)
    )


async def acknowledge(
    conn: AsyncConnection, alert_id: uuid.UUID, operator_id: str, by: str, note: str, now: datetime
) -> RowMapping:
    """The first acknowledgement stands (who and when); a repeated one changes nothing."""
    await conn.execute(
        insert(acknowledgements)
        .values(
            alert_id=alert_id, operator_id=operator_id, acknowledged_by=by, acknowledged_at=now, note=note
        )
        .on_conflict_do_nothing()
    )
    await conn.execute(
        update(incidents)
        .where(incidents.c.alert_id == alert_id, incidents.c.operator_id == operator_id)
        .values(next_escalation_at=None)
    )
    row = (
        (await conn.execute(select(acknowledgements).where(acknowledgements.c.alert_id == alert_id)))
        .mappings()
        .one()
    )
    return row


async def acknowledged(conn: AsyncConnection, alert_id: uuid.UUID) -> bool:
    found = await conn.scalar(
        select(acknowledgements.c.alert_id).where(acknowledgements.c.alert_id == alert_id)
    )
    return found is not None


async def alert_notifications(conn: AsyncConnection, operator_id: str, alert_id: uuid.UUID) -> dict[str, Any]:
    ack = (
        (
            await conn.execute(
                select(acknowledgements).where(
                    acknowledgements.c.alert_id == alert_id, acknowledgements.c.operator_id == operator_id
                )
            )
        )
        .mappings()
        .first()
    )
    found = await conn.execute(
        select(incidents).where(incidents.c.alert_id == alert_id, incidents.c.operator_id == operator_id)
    )
    sent = await conn.execute(
        select(deliveries)
        .join(channels, channels.c.channel_id == deliveries.c.channel_id)
        .where(deliveries.c.alert_id == alert_id, channels.c.operator_id == operator_id)
        .order_by(deliveries.c.created_at, deliveries.c.step)
    )
    return {
        "alert_id": str(alert_id),
        "acknowledgement": None if ack is None else _ack(ack),
        "incidents": [_incident(r) for r in found.mappings()],
        "deliveries": [delivery_view(r) for r in sent.mappings()],
    }


def _ack(row: RowMapping) -> dict[str, Any]:
    return {"by": row["acknowledged_by"], "at": row["acknowledged_at"].isoformat(), "note": row["note"]}


def _incident(row: RowMapping) -> dict[str, Any]:
    nxt = row["next_escalation_at"]
    resolved = row["resolved_at"]
    return {
        "rule_id": row["rule_id"],
        "vehicle_id": row["vehicle_id"],
        "type": row["payload"].get("type"),
        "severity": row["payload"].get("severity"),
        "step": row["step"],
        "opened_at": row["opened_at"].isoformat(),
        "next_escalation_at": nxt.isoformat() if nxt else None,
        "resolved_at": resolved.isoformat() if resolved else None,
    }


async def delete_rule(conn: AsyncConnection, operator_id: str, rule_id: str) -> bool:
    result = await conn.execute(
        delete(rules).where(rules.c.operator_id == operator_id, rules.c.rule_id == rule_id)
    )
    return result.rowcount == 1


async def rules_using(conn: AsyncConnection, operator_id: str, channel_id: str) -> list[str]:
    """Rules whose escalation chain names the channel."""
    result = await conn.scalars(
        select(rules.c.rule_id).where(
            rules.c.operator_id == operator_id,
            rules.c.spec["recipients"].contains([channel_id]),
        )
    )
    return list(result)
