"""Coldchain event contracts: topic registry, envelope and message schemas.

This package has no I/O dependencies so a downstream system can install it alone
to read our topics. Compatibility rule: within a topic version a field may only be
added with a default; renames and removals need a new `.vN` topic.
"""

from coldchain_contracts.envelope import Envelope, new_event_id, utcnow
from coldchain_contracts.fleet import BodyType, Compartment, TemperatureZone, VehicleRegistered
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
from coldchain_contracts.tracking import Motion, VehicleStateChanged

__all__ = [
    "REGISTRY",
    "BodyType",
    "ChannelState",
    "Compartment",
    "Envelope",
    "FixAccepted",
    "FixRejected",
    "Motion",
    "RawFix",
    "RawFixReceived",
    "ReeferReading",
    "RejectReason",
    "SpeedUnit",
    "TemperatureZone",
    "Topic",
    "VehicleRegistered",
    "VehicleStateChanged",
    "dlq_topic",
    "new_event_id",
    "utcnow",
]
