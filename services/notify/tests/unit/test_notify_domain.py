"""Notify's pure rules: severity, rule matching, quiet hours, backoff, escalation, signing,
templates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from coldchain_contracts import AlertKind, AlertOpened, ExcursionClosed, ExcursionOpened, TemperatureZone
from coldchain_notify.domain import (
    excursion_severity,
    matches,
    next_escalation,
    notice_of,
    quiet_until,
    retry_delay_s,
)
from coldchain_notify.rules import EventKind, Language, QuietHours, RuleSpec, Severity, WebhookSpec
from coldchain_notify.signing import signature, signature_header, verify
from coldchain_notify.templates import render_email

pytestmark = pytest.mark.unit
AT = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def opened(celsius: float, vehicle: str = "truck-1") -> ExcursionOpened:
    return ExcursionOpened(
        vehicle_id=vehicle,
        at=AT,
        excursion_id=uuid.uuid4(),
        channel="A",
        zone=TemperatureZone.CHILLED,
        band_low_celsius=0.0,
        band_high_celsius=5.0,
        started_at=AT - timedelta(minutes=5),
        celsius=celsius,
        producer="test",
    )


def rule(**changes: object) -> RuleSpec:
    base: dict[str, object] = {"name": "r", "event_types": ["excursion_opened"], "recipients": ["a", "b"]}
    return RuleSpec.model_validate({**base, **changes})


def test_an_excursion_far_outside_its_band_is_critical_and_a_near_one_a_warning() -> None:
    assert excursion_severity(9.0, 0.0, 5.0, 3.0) is Severity.CRITICAL
    assert excursion_severity(6.5, 0.0, 5.0, 3.0) is Severity.WARNING
    assert excursion_severity(-3.0, 0.0, 5.0, 3.0) is Severity.CRITICAL


def test_rules_filter_by_type_vehicle_zone_and_minimum_severity() -> None:
    near = notice_of(opened(6.0), 3.0)
    far = notice_of(opened(12.0, vehicle="truck-2"), 3.0)
    assert near is not None
    assert far is not None
    assert matches(rule(), near)
    assert not matches(rule(event_types=["offline"]), near)
    assert not matches(rule(vehicle_ids=["truck-2"]), near)
    assert matches(rule(vehicle_ids=["truck-2"]), far)
    assert not matches(rule(zones=["frozen"]), near)
    assert matches(rule(zones=["chilled"]), near)
    assert not matches(rule(min_severity="critical"), near)
    assert matches(rule(min_severity="critical"), far)
    assert not matches(rule(enabled=False), far)


def test_closing_events_resolve_the_alert_they_opened() -> None:
    alert_id = uuid.uuid4()
    closed = ExcursionClosed(
        vehicle_id="t",
        at=AT,
        excursion_id=alert_id,
        channel="A",
        started_at=AT,
        duration_s=60,
        peak_celsius=9,
    )
    notice = notice_of(closed, 3.0)
    assert notice is not None
    assert (notice.kind, notice.opens, notice.alert_id) == (
        EventKind.EXCURSION_CLOSED,
        False,
        alert_id,
    )
    alert = AlertOpened(vehicle_id="t", at=AT, alert_id=uuid.uuid4(), kind=AlertKind.OFFLINE)
    offline = notice_of(alert, 3.0)
    assert offline is not None
    assert (offline.kind, offline.severity) == (EventKind.OFFLINE, Severity.WARNING)


def test_quiet_hours_across_midnight_hold_warnings_until_their_end_but_never_criticals() -> None:
    quiet = QuietHours(start=time(22, 0), end=time(6, 0), timezone="Asia/Seoul")
    night = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)  # 23:30 in Seoul
    assert quiet_until(quiet, Severity.WARNING, night) == datetime(2026, 12, 3, 21, 0, tzinfo=UTC)  # 06:00
    assert quiet_until(quiet, Severity.CRITICAL, night) == night
    assert quiet_until(quiet, Severity.WARNING, AT) == AT  # noon: not quiet
    early = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 04:00 in Seoul
    assert quiet_until(quiet, Severity.WARNING, early) == datetime(2026, 12, 3, 21, 0, tzinfo=UTC)


def test_retry_delays_double_and_stop_at_the_cap() -> None:
    assert [retry_delay_s(n, 2.0, 30.0, 1.0) for n in range(1, 6)] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert retry_delay_s(3, 2.0, 30.0, 0.5) == 4.0


def test_escalation_steps_through_the_chain_and_ends_with_it() -> None:
    r = rule(escalate_after_minutes=10)
    assert next_escalation(r, 0, AT) == AT + timedelta(minutes=10)
    assert next_escalation(r, 1, AT) is None
    assert next_escalation(rule(), 0, AT) is None


def test_invalid_rules_and_channels_say_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="a channel appears twice"):
        rule(recipients=["a", "a"])
    with pytest.raises(ValidationError, match="unknown IANA time zone"):
        rule(quiet_hours={"start": "22:00", "end": "06:00", "timezone": "Mars/Olympus"})
    with pytest.raises(ValidationError):
        rule(event_types=["excursion_started"])
    with pytest.raises(ValidationError):
        WebhookSpec.model_validate({"kind": "webhook", "name": "x", "url": "not a url"})


def test_a_signature_verifies_only_for_its_body_secret_and_a_fresh_timestamp() -> None:
    body, ts = b'{"a":1}', 1_700_000_000
    header = signature_header(["new-secret", "old-secret"], ts, body)
    assert header.count("v1=") == 2
    assert verify(header, str(ts), body, "old-secret", now=ts + 10)
    assert verify(signature("s", ts, body), str(ts), body, "s", now=ts)
    assert not verify(signature("s", ts, body), str(ts), b'{"a":2}', "s", now=ts)
    assert not verify(signature("s", ts, body), str(ts), body, "other", now=ts)
    assert not verify(signature("s", ts, body), str(ts), body, "s", now=ts + 301)  # a replay
    assert not verify(signature("s", ts, body), str(ts + 1), body, "s", now=ts)  # timestamp changed


@pytest.mark.parametrize(
    ("language", "words"), [(Language.KO, "온도 이탈"), (Language.EN, "Temperature excursion")]
)
def test_emails_render_in_korean_and_english(language: Language, words: str) -> None:
    notice = notice_of(opened(12.0), 3.0)
    assert notice is not None
    subject, body = render_email({**notice.payload(), "escalation_step": 1}, language)
    assert words in subject
    assert "truck-1" in subject
    assert "12.0" in body
    assert str(notice.alert_id) in body
    assert ("에스컬레이션" if language is Language.KO else "Escalated") in body
