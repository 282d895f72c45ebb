"""Trips and stops from the ordered stream of valid fixes.

A stop is a stationary period (speed under the moving threshold) that lasted at least
`stop_min_s`; trips are what lies between stops. A stationary period starts at its
first stationary fix and lasts until the first moving fix: what was observed holds
until contradicted, so a stop is confirmed either by a later fix or by the clock
(`elapse`), and both give the same stop, same id, same start. Trip distance is the sum
of great-circle distances between consecutive valid fixes, cut at the start of the stop
that ends the trip. Fixes without a valid position are not seen here at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import StopEnded, StopStarted, TripEnded, TripStarted
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_servicekit.geo import haversine_m
from coldchain_tracking.analysis.ids import event_id, subject_id
from coldchain_tracking.analysis.sample import Point, Sample


class OpenTrip(BaseModel):
    model_config = ConfigDict(frozen=True)

    trip_id: uuid.UUID
    started_at: datetime
    distance_km: float = 0.0


class OpenStop(BaseModel):
    model_config = ConfigDict(frozen=True)

    stop_id: uuid.UUID
    started_at: datetime
    latitude: float
    longitude: float


class Stationary(BaseModel):
    """A stationary period not (yet) long enough to be a stop."""

    model_config = ConfigDict(frozen=True)

    since: datetime
    latitude: float
    longitude: float
    trip_km_at_since: float


class TripState(BaseModel):
    model_config = ConfigDict(frozen=True)

    trip: OpenTrip | None = None
    stop: OpenStop | None = None
    stationary: Stationary | None = None


Step = tuple[TripState, list[TrackingEvent]]


def observe(
    state: TripState, vehicle_id: str, sample: Sample, moving: bool, previous: Point | None, stop_min_s: float
) -> Step:
    """Apply one valid fix (moving or not) that follows `previous` (the last valid fix)."""
    segment_km = 0.0
    if previous is not None:
        segment_km = (
            haversine_m((previous.latitude, previous.longitude), (sample.latitude, sample.longitude)) / 1000
        )
    if moving:
        return _on_moving(state, vehicle_id, sample, segment_km, stop_min_s)
    trip = state.trip
    if trip is not None:
        trip = trip.model_copy(update={"distance_km": trip.distance_km + segment_km})
    stationary = state.stationary
    if stationary is None and state.stop is None:
        stationary = Stationary(
            since=sample.at,
            latitude=sample.latitude,
            longitude=sample.longitude,
            trip_km_at_since=trip.distance_km if trip else 0.0,
        )
    return elapse(
        TripState(trip=trip, stop=state.stop, stationary=stationary), vehicle_id, sample.at, stop_min_s
    )


def _on_moving(
    state: TripState, vehicle_id: str, sample: Sample, segment_km: float, stop_min_s: float
) -> Step:
    # The stationary period lasted until this fix: it may just have become a stop.
    state, events = elapse(state, vehicle_id, sample.at, stop_min_s)
    if state.stop is not None:
        stop = state.stop
        events.append(
            StopEnded(
                event_id=event_id(stop.stop_id, "StopEnded"),
                vehicle_id=vehicle_id,
                at=sample.at,
                latitude=stop.latitude,
                longitude=stop.longitude,
                stop_id=stop.stop_id,
                started_at=stop.started_at,
                duration_s=(sample.at - stop.started_at).total_seconds(),
            )
        )
    trip = state.trip
    if trip is None:
        trip = OpenTrip(trip_id=subject_id("trip", vehicle_id, sample.at), started_at=sample.at)
        events.append(
            TripStarted(
                event_id=event_id(trip.trip_id, "TripStarted"),
                vehicle_id=vehicle_id,
                at=sample.at,
                latitude=sample.latitude,
                longitude=sample.longitude,
                trip_id=trip.trip_id,
            )
        )
    else:
        trip = trip.model_copy(update={"distance_km": trip.distance_km + segment_km})
    return TripState(trip=trip, stop=None, stationary=None), events


def elapse(state: TripState, vehicle_id: str, now: datetime, stop_min_s: float) -> Step:
    """Time has reached `now` with no contradicting fix: confirm a stop that is long enough."""
    st = state.stationary
    if st is None or state.stop is not None or (now - st.since).total_seconds() < stop_min_s:
        return state, []
    events: list[TrackingEvent] = []
    if state.trip is not None:
        trip = state.trip
        events.append(
            TripEnded(
                event_id=event_id(trip.trip_id, "TripEnded"),
                vehicle_id=vehicle_id,
                at=st.since,
                latitude=st.latitude,
                longitude=st.longitude,
                trip_id=trip.trip_id,
                started_at=trip.started_at,
                distance_km=round(st.trip_km_at_since, 3),
            )
        )
    stop = OpenStop(
        stop_id=subject_id("stop", vehicle_id, st.since),
        started_at=st.since,
        latitude=st.latitude,
        longitude=st.longitude,
    )
    events.append(
        StopStarted(
            event_id=event_id(stop.stop_id, "StopStarted"),
            vehicle_id=vehicle_id,
            at=st.since,
            latitude=st.latitude,
            longitude=st.longitude,
            stop_id=stop.stop_id,
        )
    )
    return TripState(trip=None, stop=stop, stationary=None), events
