"""Events tracking derives from the fix stream, on `tracking.events.v1` keyed by vehicle.

Downstream systems (orders, dispatch, the live feed, integrators) subscribe to this
one topic; `event_type` tells the kinds apart. Every "opened"/"started"/"entered"
event has a matching closing event carrying the same id.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.fleet import TemperatureZone
from coldchain_contracts.identifiers import Identifier


class TrackingEvent(Envelope):
    vehicle_id: Identifier
    at: UtcDatetime = Field(description="Device time at which it happened")
    latitude: float | None = None
    longitude: float | None = None


class GeofenceEntered(TrackingEvent):
    event_type: Literal["GeofenceEntered"] = "GeofenceEntered"
    geofence_id: str
    site_id: str | None = Field(default=None, description="Set when the geofence is a site's")


class GeofenceExited(TrackingEvent):
    event_type: Literal["GeofenceExited"] = "GeofenceExited"
    geofence_id: str
    site_id: str | None = None
    entered_at: UtcDatetime | None = None


class TripStarted(TrackingEvent):
    event_type: Literal["TripStarted"] = "TripStarted"
    trip_id: uuid.UUID


class TripEnded(TrackingEvent):
    event_type: Literal["TripEnded"] = "TripEnded"
    trip_id: uuid.UUID
    started_at: UtcDatetime
    distance_km: float = Field(ge=0)


class StopStarted(TrackingEvent):
    event_type: Literal["StopStarted"] = "StopStarted"
    stop_id: uuid.UUID


class StopEnded(TrackingEvent):
    event_type: Literal["StopEnded"] = "StopEnded"
    stop_id: uuid.UUID
    started_at: UtcDatetime
    duration_s: float = Field(ge=0)


class ExcursionOpened(TrackingEvent):
    """A compartment has been outside its band for longer than the grace period."""

    event_type: Literal["ExcursionOpened"] = "ExcursionOpened"
    excursion_id: uuid.UUID
    channel: str
    zone: TemperatureZone | None = None
    band_low_celsius: float | None = None
    band_high_celsius: float | None = None
    started_at: UtcDatetime = Field(description="First out-of-band reading (grace included)")
    celsius: float


class ExcursionClosed(TrackingEvent):
    event_type: Literal["ExcursionClosed"] = "ExcursionClosed"
    excursion_id: uuid.UUID
    channel: str
    started_at: UtcDatetime
    duration_s: float = Field(ge=0)
    peak_celsius: float = Field(description="Reading furthest outside the band")


class AlertKind(StrEnum):
    PROBE_DISCONNECTED = "probe_disconnected"
    SLOW_OR_STUCK = "slow_or_stuck"
    LOADED_TOO_LONG = "loaded_too_long"
    OFFLINE = "offline"


class AlertOpened(TrackingEvent):
    event_type: Literal["AlertOpened"] = "AlertOpened"
    alert_id: uuid.UUID
    kind: AlertKind
    detail: str = ""


class AlertClosed(TrackingEvent):
    event_type: Literal["AlertClosed"] = "AlertClosed"
    alert_id: uuid.UUID
    kind: AlertKind
    opened_at: UtcDatetime


AnyTrackingEvent = Annotated[
    GeofenceEntered
    | GeofenceExited
    | TripStarted
    | TripEnded
    | StopStarted
    | StopEnded
    | ExcursionOpened
    | ExcursionClosed
    | AlertOpened
    | AlertClosed,
    Field(discriminator="event_type"),
]
TRACKING_EVENT_TYPES: tuple[type[TrackingEvent], ...] = (
    GeofenceEntered,
    GeofenceExited,
    TripStarted,
    TripEnded,
    StopStarted,
    StopEnded,
    ExcursionOpened,
    ExcursionClosed,
    AlertOpened,
    AlertClosed,
)
