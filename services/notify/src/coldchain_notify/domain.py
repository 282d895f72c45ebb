"""Pure decisions: which tracking events are notices, which rules they match, when a
notice may go out (quiet hours), how long a failed delivery waits, when to escalate.

No I/O here; `handlers`, `worker` and `escalation` bring the database and the network.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coldchain_contracts import (
    AlertClosed,
    AlertKind,
    AlertOpened,
    AnyTrackingEvent,
    ExcursionClosed,
    ExcursionOpened,
)
from coldchain_notify.rules import EventKind, QuietHours, RuleSpec, Severity

_ALERT_KINDS = {
    AlertKind.PROBE_DISCONNECTED: EventKind.PROBE_DISCONNECTED,
    AlertKind.SLOW_OR_STUCK: EventKind.SLOW_OR_STUCK,
    AlertKind.LOADED_TOO_LONG: EventKind.LOADED_TOO_LONG,
    AlertKind.OFFLINE: EventKind.OFFLINE,
}


@dataclass(frozen=True)
class Notice:
    """A tracking event somebody may have to hear about."""

    event_id: uuid.UUID
    kind: EventKind
    alert_id: uuid.UUID
    opens: bool
    """An opening notice starts an incident (escalation); a closing one resolves it."""
    vehicle_id: str
    at: datetime
    severity: Severity
    zone: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The channel-neutral body of a notification (webhook JSON, e-mail template values)."""
        return {
            "event_id": str(self.event_id),
            "type": self.kind.value,
            "severity": self.severity.value,
            "alert_id": str(self.alert_id),
            "vehicle_id": self.vehicle_id,
            "at": self.at.isoformat(),
            "zone": self.zone,
            **self.facts,
        }


def excursion_severity(
    celsius: float, low: float | None, high: float | None, critical_margin_c: float
) -> Severity:
    """Critical when the reading is `critical_margin_c` or more outside the band."""
    outside = max((low - celsius) if low is not None else 0.0, (celsius - high) if high is not None else 0.0)
    return Severity.CRITICAL if outside >= critical_margin_c else Severity.WARNING


def notice_of(event: AnyTrackingEvent, critical_margin_c: float) -> Notice | None:
    if isinstance(event, ExcursionOpened):
        return Notice(
            event_id=event.event_id,
            kind=EventKind.EXCURSION_OPENED,
            alert_id=event.excursion_id,
            opens=True,
            vehicle_id=event.vehicle_id,
            at=event.at,
            severity=excursion_severity(
                event.celsius, event.band_low_celsius, event.band_high_celsius, critical_margin_c
            ),
            zone=event.zone.value if event.zone else None,
            facts={
                "channel": event.channel,
                "celsius": event.celsius,
                "band_low_celsius": event.band_low_celsius,
                "band_high_celsius": event.band_high_celsius,
                "started_at": event.started_at.isoformat(),
            },
        )
    if isinstance(event, ExcursionClosed):
        return Notice(
            event_id=event.event_id,
            kind=EventKind.EXCURSION_CLOSED,
            alert_id=event.excursion_id,
            opens=False,
            vehicle_id=event.vehicle_id,
            at=event.at,
            severity=Severity.INFO,
            facts={
                "channel": event.channel,
                "started_at": event.started_at.isoformat(),
                "duration_s": event.duration_s,
                "peak_celsius": event.peak_celsius,
            },
        )
    if isinstance(event, AlertOpened):
        return Notice(
            event_id=event.event_id,
            kind=_ALERT_KINDS[event.kind],
            alert_id=event.alert_id,
            opens=True,
            vehicle_id=event.vehicle_id,
            at=event.at,
            severity=Severity.WARNING,
            facts={"detail": event.detail},
        )
    if isinstance(event, AlertClosed):
        return Notice(
            event_id=event.event_id,
            kind=EventKind.ALERT_CLOSED,
            alert_id=event.alert_id,
            opens=False,
            vehicle_id=event.vehicle_id,
            at=event.at,
            severity=Severity.INFO,
            facts={"alert_kind": event.kind.value, "opened_at": event.opened_at.isoformat()},
        )
    return None


def matches(rule: RuleSpec, notice: Notice) -> bool:
    if not rule.enabled or notice.kind not in rule.event_types:
        return False
    if rule.vehicle_ids and notice.vehicle_id not in rule.vehicle_ids:
        return False
    if rule.zones and notice.zone not in {z.value for z in rule.zones}:
        return False
    # Closing notices are info; the severity filter is about what opens.
    return not notice.opens or notice.severity.rank >= rule.min_severity.rank


def quiet_until(quiet: QuietHours | None, severity: Severity, now: datetime) -> datetime:
    """When a notice may go out: now, or the end of the quiet hours now falls in (critical
    notices are never held)."""
    if quiet is None or severity is Severity.CRITICAL or quiet.start == quiet.end:
        return now
    local = now.astimezone(ZoneInfo(quiet.timezone))
    t = local.time().replace(tzinfo=None)
    crosses_midnight = quiet.start > quiet.end
    inside = (t >= quiet.start or t < quiet.end) if crosses_midnight else (quiet.start <= t < quiet.end)
    if not inside:
        return now
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


def retry_delay_s(attempt: int, base_s: float, max_s: float, jitter: float) -> float:
    """Delay before attempt `attempt + 1` (`attempt` >= 1 failed so far): base doubling per
    attempt, capped, times `jitter` in [0.5, 1.0] so failed deliveries do not retry in step."""
    return float(min(max_s, base_s * 2.0 ** (attempt - 1)) * jitter)


def next_escalation(rule: RuleSpec, step: int, now: datetime) -> datetime | None:
    """When the recipient after `step` is told if nobody acknowledges; None: end of the chain."""
    if rule.escalate_after_minutes is None or step + 1 >= len(rule.recipients):
        return None
    return now + timedelta(minutes=rule.escalate_after_minutes)


def consecutive_failures(previous: int, outcomes: list[bool]) -> int:
    """A channel's count of consecutive failed attempts after a round of `outcomes` (in order)."""
    count = previous
    for ok in outcomes:
        count = 0 if ok else count + 1
    return count
