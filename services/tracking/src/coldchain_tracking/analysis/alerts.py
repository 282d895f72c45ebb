"""Alerts other than excursions: one generic open/close tracker and the rules feeding it.

Tracker: a condition observed at a time holds until an observation contradicts it.
The alert opens once the condition has held for `open_after_s` (dated at that moment,
`since + open_after_s`). De-duplication window: when the condition clears, the alert
is not closed at once; if the condition comes back within `dedup_s`, the same alert
simply continues (no second AlertOpened); only after `dedup_s` clear is AlertClosed
emitted, dated at the moment it cleared. So a flapping condition yields one alert.

Rules (see docs/tracking-analysis.md):
* probe_disconnected (per channel): the channel reports `probe_disconnected`;
* slow_or_stuck: loaded, valid fix, speed under `slow_speed_kmh`, outside every site
  geofence (waiting at a customer is not being stuck);
* loaded_too_long: loaded for longer than `loaded_max_s` without arriving at the load's
  destination site (any site when the load names none);
* offline: no fix for `offline_after_s`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import AlertClosed, AlertKind, AlertOpened
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis.ids import event_id, subject_id
from coldchain_tracking.analysis.sample import Point


class OpenAlert(BaseModel):
    model_config = ConfigDict(frozen=True)

    alert_id: uuid.UUID
    opened_at: datetime
    detail: str = ""


class AlertTrack(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: AlertKind
    key: str = ""
    detail: str = ""
    holds_since: datetime | None = None
    cleared_at: Point | None = None
    alert: OpenAlert | None = None


class AlertRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    open_after_s: float
    dedup_s: float


Step = tuple[AlertTrack, list[TrackingEvent]]


def observe(
    track: AlertTrack,
    holds: bool,
    where: Point,
    rule: AlertRule,
    vehicle_id: str,
    detail: str = "",
    since: datetime | None = None,
) -> Step:
    """The condition holds (or not) at `where.at`; `since` backdates its start (e.g. loaded at)."""
    track, events = elapse(track, where, rule, vehicle_id)
    if holds:
        start = track.holds_since or since or where.at
        track = track.model_copy(update={"holds_since": start, "cleared_at": None, "detail": detail})
        track, opened = elapse(track, where, rule, vehicle_id)
        return track, events + opened
    track = track.model_copy(update={"holds_since": None})
    if track.alert is not None and track.cleared_at is None:
        track = track.model_copy(update={"cleared_at": where})
    track, closed = elapse(track, where, rule, vehicle_id)
    return track, events + closed


def elapse(track: AlertTrack, where: Point, rule: AlertRule, vehicle_id: str) -> Step:
    """Time has reached `where.at`: open what held long enough, close what stayed clear long enough."""
    now = where.at
    if (
        track.alert is None
        and track.holds_since is not None
        and (now - track.holds_since).total_seconds() >= rule.open_after_s
    ):
        opened_at = track.holds_since + timedelta(seconds=rule.open_after_s)
        alert_id = subject_id("alert", vehicle_id, track.kind.value, track.key, opened_at)
        alert = OpenAlert(alert_id=alert_id, opened_at=opened_at, detail=track.detail)
        return track.model_copy(update={"alert": alert}), [
            AlertOpened(
                event_id=event_id(alert_id, "AlertOpened"),
                vehicle_id=vehicle_id,
                at=opened_at,
                latitude=where.latitude,
                longitude=where.longitude,
                alert_id=alert_id,
                kind=track.kind,
                detail=track.detail,
            )
        ]
    cleared = track.cleared_at
    if track.alert is not None and cleared is not None and (now - cleared.at).total_seconds() >= rule.dedup_s:
        alert = track.alert
        return AlertTrack(kind=track.kind, key=track.key), [
            AlertClosed(
                event_id=event_id(alert.alert_id, "AlertClosed"),
                vehicle_id=vehicle_id,
                at=cleared.at,
                latitude=cleared.latitude,
                longitude=cleared.longitude,
                alert_id=alert.alert_id,
                kind=track.kind,
                opened_at=alert.opened_at,
            )
        ]
    return track, []
