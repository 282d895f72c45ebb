"""Escalation: an alert nobody acknowledged within the rule's minutes goes to the next
recipient of the rule's chain, step by step, until acknowledged, resolved (its closing
event) or the chain ends."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import utcnow
from coldchain_notify import delivery_log, repository
from coldchain_notify.domain import next_escalation, quiet_until
from coldchain_notify.rules import Severity

ESCALATED = Counter("notify_escalations_total", "Alerts passed to the next recipient")


class Escalator:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] = utcnow, batch: int = 100) -> None:
        self._engine = engine
        self._clock = clock
        self._batch = batch

    async def run_once(self) -> int:
        now = self._clock()
        escalated = 0
        async with self._engine.begin() as conn:
            for incident in await repository.due_incidents(conn, now, self._batch):
                rule = await repository.rule(conn, incident["operator_id"], incident["rule_id"])
                step = incident["step"] + 1
                if rule is None or step >= len(rule.recipients):  # rule deleted or shortened
                    await repository.advance(
                        conn, incident["alert_id"], incident["rule_id"], incident["step"], None
                    )
                    continue
                payload = {**incident["payload"], "escalation_step": step}
                due_at = quiet_until(rule.quiet_hours, Severity(payload["severity"]), now)
                await delivery_log.enqueue(
                    conn,
                    channel_id=rule.recipients[step],
                    rule_id=incident["rule_id"],
                    event_id=uuid.UUID(str(payload["event_id"])),
                    alert_id=incident["alert_id"],
                    step=step,
                    payload=payload,
                    due_at=due_at,
                    now=now,
                )
                await repository.advance(
                    conn, incident["alert_id"], incident["rule_id"], step, next_escalation(rule, step, due_at)
                )
                escalated += 1
        ESCALATED.inc(escalated)
        return escalated
