"""Pure history rules: cursors, the partition window and retention, events onto rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from coldchain_contracts.tracking_events import (
    AlertClosed,
    AlertKind,
    ExcursionClosed,
    GeofenceExited,
    TripEnded,
    TripStarted,
)
from coldchain_tracking.paging import Cursor
from coldchain_tracking.partitions import PartitionPolicy, days_to_ensure, expired, partition_day
from coldchain_tracking.projection import upsert_for

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    cursor = Cursor(T0, "abc")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "not base64 !", "eyJhdCI6IjIwMjYtMTEtMjYifQ", Cursor(T0.replace(tzinfo=None)).encode()):
        with pytest.raises(ValueError, match="cursor"):
            Cursor.decode(bad)


def test_partitions_are_ensured_from_behind_to_ahead_days() -> None:
    days = days_to_ensure(date(2026, 1, 1), PartitionPolicy(behind_days=2, ahead_days=1))
    assert days == [date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)]


def test_retention_expires_whole_days_only_and_never_default() -> None:
    names = [
        "positions_default",
        "positions_p20261120",
        "positions_p20261123",
        "positions_p20261124",
        "other",
    ]
    policy = PartitionPolicy(retention_days=3)
    assert expired(names, date(2026, 11, 26), policy) == ["positions_p20261120"]
    assert expired(names, date(2026, 11, 26), PartitionPolicy()) == [], "no retention keeps everything"
    assert partition_day("positions_p20261124") == date(2026, 11, 24)
    assert partition_day("positions_default") is None


def test_opening_and_closing_events_update_disjoint_columns_of_one_row() -> None:
    trip = uuid.uuid4()
    opened = upsert_for(TripStarted(vehicle_id="v", at=T0, trip_id=trip))
    closed = upsert_for(TripEnded(vehicle_id="v", at=T0, trip_id=trip, started_at=T0, distance_km=1))
    assert opened is not None
    assert closed is not None
    assert (opened.table, opened.id, closed.id) == ("trips", trip, trip)
    assert not set(opened.update) & set(closed.update)
    assert closed.values["started_at"] == T0, "a close alone still makes a complete row"


def test_closing_events_carry_their_start_into_the_row() -> None:
    alert = upsert_for(
        AlertClosed(
            vehicle_id="v", at=T0, alert_id=uuid.uuid4(), kind=AlertKind.OFFLINE, opened_at=T0.replace(hour=1)
        )
    )
    excursion = upsert_for(
        ExcursionClosed(
            vehicle_id="v",
            at=T0,
            excursion_id=uuid.uuid4(),
            channel="A",
            started_at=T0.replace(hour=8),
            duration_s=3600,
            peak_celsius=-10,
        )
    )
    assert alert is not None
    assert excursion is not None
    assert (alert.values["started_at"], alert.update) == (T0.replace(hour=1), ("ended_at",))
    assert excursion.values["peak_celsius"] == -10


def test_geofence_events_are_not_projected_into_periods() -> None:
    assert upsert_for(GeofenceExited(vehicle_id="v", at=T0, geofence_id="g")) is None
