"""Deterministic ids: the same input always yields the same trip, stop, alert and event ids.

A batch re-processed after a crash therefore re-publishes the very same event ids, and
consumers dedupe on `event_id` (see docs/tracking-analysis.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

NAMESPACE = uuid.UUID("0b6f7c1e-2f0a-5d5e-9d39-6a1f4c7e2b10")


def subject_id(kind: str, vehicle_id: str, *parts: str | datetime) -> uuid.UUID:
    """Id of a trip/stop/visit/excursion/alert: its kind, vehicle, and what starts it."""
    text = "/".join([kind, vehicle_id, *(p.isoformat() if isinstance(p, datetime) else p for p in parts)])
    return uuid.uuid5(NAMESPACE, text)


def event_id(subject: uuid.UUID, event_type: str) -> uuid.UUID:
    return uuid.uuid5(subject, event_type)
