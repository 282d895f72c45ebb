"""Coldchain event contracts: topic registry, envelope and message schemas.

This package has no I/O dependencies so a downstream system can install it alone
to read our topics. Compatibility rule: within a topic version a field may only be
added with a default; renames and removals need a new `.vN` topic.
"""

from coldchain_contracts.devices import DeviceOptions, DeviceRegistered, TeltonikaIoMap, TemperatureProbe
from coldchain_contracts.dispatch import AssignedStop, CompartmentLoad, RouteAssigned, StopKind
from coldchain_contracts.envelope import Envelope, new_event_id, utcnow
from coldchain_contracts.fleet import BodyType, Compartment, Depot, TemperatureZone, VehicleRegistered
from coldchain_contracts.sites import (
    Contact,
    ForkliftPolicy,
    OpeningHours,
    SiteRole,
    SiteUpserted,
)
from coldchain_contracts.telemetry import (
    ChannelState,
    FixAccepted,
    FixRejected,
    RawFix,
    RawFixReceived,
    ReeferReading,
    RejectReason,
    SpeedUnit,
)
from coldchain_contracts.topics import REGISTRY, Topic, dlq_topic
from coldchain_contracts.tracking import (
    ActiveAlert,
    CompartmentCondition,
    CompartmentStatus,
    Motion,
    VehicleStateChanged,
)
from coldchain_contracts.tracking_events import (
    AlertClosed,
    AlertKind,
    AlertOpened,
    AnyTrackingEvent,
    ExcursionClosed,
    ExcursionOpened,
    GeofenceEntered,
    GeofenceExited,
    StopEnded,
    StopStarted,
    TripEnded,
    TripStarted,
)

__all__ = [
    "REGISTRY",
    "ActiveAlert",
    "AlertClosed",
    "AlertKind",
    "AlertOpened",
    "AnyTrackingEvent",
    "AssignedStop",
    "BodyType",
    "ChannelState",
    "Compartment",
    "CompartmentCondition",
    "CompartmentLoad",
    "CompartmentStatus",
    "Contact",
    "Depot",
    "DeviceOptions",
    "DeviceRegistered",
    "Envelope",
    "ExcursionClosed",
    "ExcursionOpened",
    "FixAccepted",
    "FixRejected",
    "ForkliftPolicy",
    "GeofenceEntered",
    "GeofenceExited",
    "Motion",
    "OpeningHours",
    "RawFix",
    "RawFixReceived",
    "ReeferReading",
    "RejectReason",
    "RouteAssigned",
    "SiteRole",
    "SiteUpserted",
    "SpeedUnit",
    "StopEnded",
    "StopKind",
    "StopStarted",
    "TeltonikaIoMap",
    "TemperatureProbe",
    "TemperatureZone",
    "Topic",
    "TripEnded",
    "TripStarted",
    "VehicleRegistered",
    "VehicleStateChanged",
    "dlq_topic",
    "new_event_id",
    "utcnow",
]
