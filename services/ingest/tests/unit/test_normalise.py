"""Ingest's pure rules: units, plausibility, binding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from coldchain_contracts import FixAccepted, FixRejected, RawFix, RawFixReceived, RejectReason, SpeedUnit
from coldchain_ingest.domain import QualityRules, normalise, rebind

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RULES = QualityRules()


def raw(device: str = "dev-1", **fix: object) -> RawFixReceived:
    values: dict[str, object] = {
        "device_time": NOW - timedelta(seconds=10),
        "latitude": 37.5,
        "longitude": 127.0,
    }
    values.update(fix)
    return RawFixReceived(device_id=device, received_at=NOW, fix=RawFix.model_validate(values))


def accepted(out: FixAccepted | FixRejected) -> FixAccepted:
    assert isinstance(out, FixAccepted), out
    return out


def rejected_reason(out: FixAccepted | FixRejected) -> RejectReason:
    assert isinstance(out, FixRejected), out
    return out.reason


@pytest.mark.parametrize(
    ("speed", "unit", "kmh"),
    [
        (10, SpeedUnit.KNOTS, 18.52),
        (10, SpeedUnit.MPS, 36.0),
        (10, SpeedUnit.MPH, 16.093),
        (10, SpeedUnit.KMH, 10.0),
    ],
)
def test_speed_is_normalised_to_kmh(speed: float, unit: SpeedUnit, kmh: float) -> None:
    assert accepted(normalise(raw(speed=speed, speed_unit=unit), {}, NOW, RULES)).speed_kmh == kmh


def test_device_time_with_an_offset_is_stored_in_utc() -> None:
    kst = timezone(timedelta(hours=9))
    out = accepted(normalise(raw(device_time=datetime(2026, 11, 26, 17, 59, tzinfo=kst)), {}, NOW, RULES))
    assert out.device_time == datetime(2026, 11, 26, 8, 59, tzinfo=UTC)
    assert out.device_time.utcoffset() == timedelta(0)


def test_naive_device_time_is_refused_by_the_contract() -> None:
    with pytest.raises(ValueError, match="timezone"):
        raw(device_time=datetime(2026, 11, 26, 8, 59))


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [
        (91.0, 127.0, RejectReason.LATITUDE_OUT_OF_RANGE),
        (-90.5, 127.0, RejectReason.LATITUDE_OUT_OF_RANGE),
        (37.5, 180.5, RejectReason.LONGITUDE_OUT_OF_RANGE),
        (0.0, 0.0, RejectReason.NULL_ISLAND),
    ],
)
def test_impossible_positions_are_rejected_with_their_reason(
    lat: float, lon: float, reason: RejectReason
) -> None:
    assert rejected_reason(normalise(raw(latitude=lat, longitude=lon), {}, NOW, RULES)) == reason


def test_a_position_on_the_equator_but_not_at_null_island_is_accepted() -> None:
    accepted(normalise(raw(latitude=0.0, longitude=103.8), {}, NOW, RULES))


def test_fix_beyond_the_future_window_is_rejected_and_within_it_accepted() -> None:
    far = raw(device_time=NOW + RULES.max_future + timedelta(seconds=1))
    near = raw(device_time=NOW + RULES.max_future - timedelta(seconds=1))
    assert rejected_reason(normalise(far, {}, NOW, RULES)) == RejectReason.TIME_IN_FUTURE
    accepted(normalise(near, {}, NOW, RULES))


def test_bound_device_reports_as_its_vehicle() -> None:
    assert accepted(normalise(raw("dev-9"), {"dev-9": "truck-42"}, NOW, RULES)).vehicle_id == "truck-42"


def test_unbound_device_reports_as_itself_by_default() -> None:
    assert accepted(normalise(raw("dev-9"), {}, NOW, RULES)).vehicle_id == "dev-9"


def test_unbound_device_is_rejected_when_policy_says_so() -> None:
    strict = QualityRules(bind_unknown_to_self=False)
    assert rejected_reason(normalise(raw("dev-9"), {}, NOW, strict)) == RejectReason.UNKNOWN_DEVICE


def test_rejection_keeps_the_raw_fix_and_links_causation() -> None:
    source = raw(latitude=0.0, longitude=0.0)
    out = normalise(source, {}, NOW, RULES)
    assert isinstance(out, FixRejected)
    assert out.raw == source
    assert out.causation_id == source.event_id


def test_a_vehicle_record_binds_exactly_its_listed_devices() -> None:
    before = {"a": "truck-1", "b": "truck-1", "x": "truck-2"}
    assert rebind(before, "truck-1", ["a", "c"]) == {"a": "truck-1", "c": "truck-1", "x": "truck-2"}


def test_a_device_moved_to_another_vehicle_keeps_its_new_binding() -> None:
    moved = rebind({"d": "truck-1"}, "truck-2", ["d"])
    assert rebind(moved, "truck-1", []) == {"d": "truck-2"}, "truck-1 going inactive must not unbind d"


def test_an_inactive_or_deleted_vehicle_unbinds_its_devices() -> None:
    assert rebind({"a": "truck-1", "b": "truck-1"}, "truck-1", []) == {}
