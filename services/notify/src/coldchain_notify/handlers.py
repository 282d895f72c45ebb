"""Kafka adapter: tracking events in, incidents and pending deliveries out.

One transaction per batch. Idempotent without an inbox table: a delivery is unique per
(event, rule, channel, step) and an incident per (alert, rule), so a redelivered batch
inserts nothing new. Nothing is sent here; the delivery worker does that, so a slow
receiver never holds up the consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coldchain_contracts import AnyTrackingEvent, utcnow
from coldchain_contracts.topics import TRACKING_EVENTS
from coldchain_notify import delivery_log, repository
from coldchain_notify.domain import Notice, matches, next_escalation, notice_of, quiet_until
from coldchain_notify.rules import RuleSpec
from coldchain_notify.settings import NotifySettings
from coldchain_servicekit.consumers import Consumers, Delivered

_TRACKING: TypeAdapter[AnyTrackingEvent] = TypeAdapter(AnyTrackingEvent)
ENQUEUED = Counter("notify_deliveries_enqueued_total", "Deliveries queued from events", ["type"])


async def apply_notice(
    conn: AsyncConnection, notice: Notice, rules: list[tuple[str, RuleSpec]], now: datetime
) -> int:
    """Queue what `notice` means under `rules`; the number of deliveries queued."""
    queued = 0
    if not notice.opens:
        await repository.resolve(conn, notice.alert_id, now)
    already_acknowledged = notice.opens and await repository.acknowledged(conn, notice.alert_id)
    for rule_id, rule in rules:
        if not matches(rule, notice):
            continue
        payload = {**notice.payload(), "rule_id": rule_id, "escalation_step": 0}
        due_at = quiet_until(rule.quiet_hours, notice.severity, now)
        if notice.opens:
            # Escalation counts from when the first recipient is told (after quiet hours).
            next_at = None if already_acknowledged else next_escalation(rule, 0, due_at)
            await repository.open_incident(
                conn,
                alert_id=notice.alert_id,
                rule_id=rule_id,
                vehicle_id=notice.vehicle_id,
                payload=payload,
                next_escalation_at=next_at,
                now=now,
            )
        queued += await delivery_log.enqueue(
            conn,
            channel_id=rule.recipients[0],
            rule_id=rule_id,
            event_id=notice.event_id,
            alert_id=notice.alert_id,
            step=0,
            payload=payload,
            due_at=due_at,
            now=now,
        )
    if queued:
        ENQUEUED.labels(notice.kind.value).inc(queued)
    return queued


def register(
    broker: KafkaBroker,
    settings: NotifySettings,
    engine: AsyncEngine,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    async def on_events(batch: list[Delivered[AnyTrackingEvent]]) -> None:
        notices = [n for item in batch if (n := notice_of(item.message, settings.critical_margin_c))]
        if not notices:
            return
        now = clock()
        async with engine.begin() as conn:
            rules = await repository.rules_of(conn, repository.DEFAULT_OPERATOR)
            for notice in notices:
                await apply_notice(conn, notice, rules, now)

    Consumers(broker, settings).subscribe(TRACKING_EVENTS.name, _TRACKING, on_events)
