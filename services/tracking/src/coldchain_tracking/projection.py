"""Pure mapping of a tracking event onto the row of the period it opens or closes.

Opening and closing events of one trip/stop/excursion/alert are upserts on its id
that touch disjoint columns (both carry the start), so the row ends up the same
whatever order they are applied in. Geofence events are not projected here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from coldchain_contracts.tracking_events import (
    AlertClosed,
    AlertOpened,
    ExcursionClosed,
    ExcursionOpened,
    StopEnded,
    StopStarted,
    TrackingEvent,
    TripEnded,
    TripStarted,
)


@dataclass(frozen=True, slots=True)
class Upsert:
    table: str
    id_column: str
    values: dict[str, Any]
    """The row to insert if the id is new."""
    update: tuple[str, ...]
    """Columns an existing row takes from `values`."""
    fill: tuple[str, ...] = field(default=())
    """Columns an existing row takes from `values` only where it has none yet."""

    @property
    def id(self) -> uuid.UUID:
        value: uuid.UUID = self.values[self.id_column]
        return value


def upsert_for(event: TrackingEvent) -> Upsert | None:
    base = {"vehicle_id": event.vehicle_id}
    match event:
        case TripStarted():
            return Upsert(
                "trips",
                "trip_id",
                {
                    **base,
                    "trip_id": event.trip_id,
                    "started_at": event.at,
                    "start_latitude": event.latitude,
                    "start_longitude": event.longitude,
                },
                update=("started_at", "start_latitude", "start_longitude"),
            )
        case TripEnded():
            return Upsert(
                "trips",
                "trip_id",
                {
                    **base,
                    "trip_id": event.trip_id,
                    "started_at": event.started_at,
                    "ended_at": event.at,
                    "end_latitude": event.latitude,
                    "end_longitude": event.longitude,
                    "distance_km": event.distance_km,
                },
                update=("ended_at", "end_latitude", "end_longitude", "distance_km"),
            )
        case StopStarted():
            return Upsert(
                "stops",
                "stop_id",
                {
                    **base,
                    "stop_id": event.stop_id,
                    "started_at": event.at,
                    "latitude": event.latitude,
                    "longitude": event.longitude,
                },
                update=("started_at", "latitude", "longitude"),
            )
        case StopEnded():
            return Upsert(
                "stops",
                "stop_id",
                {
                    **base,
                    "stop_id": event.stop_id,
                    "started_at": event.started_at,
                    "ended_at": event.at,
                    "duration_s": event.duration_s,
                    "latitude": event.latitude,
                    "longitude": event.longitude,
                },
                update=("ended_at", "duration_s"),
                fill=("latitude", "longitude"),
            )
        case ExcursionOpened():
            return Upsert(
                "excursions",
                "excursion_id",
                {
                    **base,
                    "excursion_id": event.excursion_id,
                    "channel": event.channel,
                    "zone": event.zone.value if event.zone is not None else None,
                    "band_low_celsius": event.band_low_celsius,
                    "band_high_celsius": event.band_high_celsius,
                    "started_at": event.started_at,
                    "opened_at": event.at,
                    "opened_celsius": event.celsius,
                    "latitude": event.latitude,
                    "longitude": event.longitude,
                },
                update=(
                    "zone",
                    "band_low_celsius",
                    "band_high_celsius",
                    "started_at",
                    "opened_at",
                    "opened_celsius",
                ),
                fill=("latitude", "longitude"),
            )
        case ExcursionClosed():
            return Upsert(
                "excursions",
                "excursion_id",
                {
                    **base,
                    "excursion_id": event.excursion_id,
                    "channel": event.channel,
                    "started_at": event.started_at,
                    "ended_at": event.at,
                    "duration_s": event.duration_s,
                    "peak_celsius": event.peak_celsius,
                },
                update=("ended_at", "duration_s", "peak_celsius"),
            )
        case AlertOpened():
            return Upsert(
                "alerts",
                "alert_id",
                {
                    **base,
                    "alert_id": event.alert_id,
                    "kind": event.kind.value,
                    "detail": event.detail,
                    "started_at": event.at,
                    "latitude": event.latitude,
                    "longitude": event.longitude,
                },
                update=("kind", "detail", "started_at", "latitude", "longitude"),
            )
        case AlertClosed():
            return Upsert(
                "alerts",
                "alert_id",
                {
                    **base,
                    "alert_id": event.alert_id,
                    "kind": event.kind.value,
                    "started_at": event.opened_at,
                    "ended_at": event.at,
                },
                update=("ended_at",),
            )
    return None
