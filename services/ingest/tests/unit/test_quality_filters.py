"""Ingest's data-quality filters: time window, accuracy, duplicates, implied speed, no-fix records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import FixAccepted, FixRejected, RawFix, RawFixReceived, RejectReason
from coldchain_ingest.domain import QualityRules, normalise
from coldchain_ingest.fix_memory import FixMemory, Overlay

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RULES = QualityRules()
SEOUL = (37.5665, 126.9780)
# 0.009 degrees of latitude is ~1 km.
KM_NORTH = 0.009


def raw(
    at: datetime, lat: float = SEOUL[0], lon: float = SEOUL[1], device: str = "dev-1", **fix: object
) -> RawFixReceived:
    values: dict[str, object] = {"device_time": at, "latitude": lat, "longitude": lon, **fix}
    return RawFixReceived(device_id=device, received_at=NOW, fix=RawFix.model_validate(values))


def judge(memory: Overlay, fix: RawFixReceived, rules: QualityRules = RULES) -> FixAccepted | FixRejected:
    return normalise(fix, {}, NOW, rules, memory)


def reason(out: FixAccepted | FixRejected) -> RejectReason:
    assert isinstance(out, FixRejected), out
    return out.reason


def test_fix_older_than_the_past_window_is_rejected_and_inside_it_accepted() -> None:
    memory = FixMemory().overlay()
    assert (
        reason(judge(memory, raw(NOW - RULES.max_past - timedelta(seconds=1)))) == RejectReason.TIME_TOO_OLD
    )
    assert isinstance(judge(memory, raw(NOW - RULES.max_past + timedelta(seconds=1))), FixAccepted)


def test_past_window_is_configurable() -> None:
    rules = QualityRules(max_past=timedelta(hours=1))
    assert reason(normalise(raw(NOW - timedelta(hours=2)), {}, NOW, rules)) == RejectReason.TIME_TOO_OLD


@pytest.mark.parametrize(("field", "value"), [("accuracy_m", 250.0), ("hdop", 25.0)])
def test_low_accuracy_is_rejected(field: str, value: float) -> None:
    out = normalise(raw(NOW, **{field: value}), {}, NOW, RULES)
    assert reason(out) == RejectReason.LOW_ACCURACY
    assert isinstance(out, FixRejected)
    assert str(value) in out.detail


def test_accuracy_within_limits_or_unreported_is_accepted() -> None:
    assert isinstance(normalise(raw(NOW, accuracy_m=15.0, hdop=1.2), {}, NOW, RULES), FixAccepted)
    assert isinstance(normalise(raw(NOW), {}, NOW, RULES), FixAccepted)


def test_accuracy_filter_can_be_switched_off() -> None:
    rules = QualityRules(max_accuracy_m=None)
    assert isinstance(normalise(raw(NOW, accuracy_m=5000.0), {}, NOW, rules), FixAccepted)


def test_same_device_and_fix_time_is_a_duplicate_even_within_one_batch() -> None:
    memory = FixMemory().overlay()
    first = raw(NOW - timedelta(minutes=1))
    assert isinstance(judge(memory, first), FixAccepted)
    assert (
        reason(judge(memory, raw(NOW - timedelta(minutes=1), lat=SEOUL[0] + 0.0001)))
        == RejectReason.DUPLICATE
    )


def test_same_fix_time_on_another_device_is_not_a_duplicate() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(minutes=1)))
    assert isinstance(judge(memory, raw(NOW - timedelta(minutes=1), device="dev-2")), FixAccepted)


def test_duplicate_is_judged_on_fix_time_when_the_device_reports_one() -> None:
    memory = FixMemory().overlay()
    fix_time = NOW - timedelta(minutes=3)
    judge(memory, raw(NOW - timedelta(minutes=1), fix_time=fix_time))
    resent = raw(NOW - timedelta(seconds=30), fix_time=fix_time)
    assert reason(judge(memory, resent)) == RejectReason.DUPLICATE


def test_a_jump_implying_an_impossible_speed_is_rejected() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(seconds=60)))
    # 10 km in 60 s is 600 km/h.
    out = judge(memory, raw(NOW, lat=SEOUL[0] + 10 * KM_NORTH))
    assert reason(out) == RejectReason.IMPLIED_SPEED
    assert isinstance(out, FixRejected)
    assert "km/h" in out.detail


def test_plausible_travel_is_accepted() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(minutes=10)))
    # 10 km in 10 min is 60 km/h.
    assert isinstance(judge(memory, raw(NOW, lat=SEOUL[0] + 10 * KM_NORTH)), FixAccepted)


def test_short_jitter_is_never_judged_by_speed() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(seconds=1)))
    # 100 m in 1 s would be 360 km/h, but it is under the minimum distance.
    assert isinstance(judge(memory, raw(NOW, lat=SEOUL[0] + 0.1 * KM_NORTH)), FixAccepted)


def test_a_late_fix_is_judged_against_its_neighbours_in_time() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(minutes=10)))
    judge(memory, raw(NOW, lat=SEOUL[0] + 10 * KM_NORTH))
    # Arrives last, belongs in the middle: 5 km from each neighbour in 5 min is fine...
    assert isinstance(
        judge(memory, raw(NOW - timedelta(minutes=5), lat=SEOUL[0] + 5 * KM_NORTH)), FixAccepted
    )
    # ...but 50 km away from both is not.
    late_glitch = raw(NOW - timedelta(minutes=4), lat=SEOUL[0] + 50 * KM_NORTH)
    assert reason(judge(memory, late_glitch)) == RejectReason.IMPLIED_SPEED


def test_no_fix_record_at_null_island_takes_the_last_known_position_and_is_flagged() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(minutes=5)))
    out = judge(memory, raw(NOW, lat=0.0, lon=0.0, gps_valid=False))
    assert isinstance(out, FixAccepted)
    assert (out.latitude, out.longitude) == SEOUL
    assert out.gps_valid is False


def test_no_fix_record_without_any_known_position_is_rejected() -> None:
    assert (
        reason(normalise(raw(NOW, lat=0.0, lon=0.0, gps_valid=False), {}, NOW, RULES))
        == RejectReason.NULL_ISLAND
    )


def test_no_fix_record_is_not_judged_by_speed_or_accuracy() -> None:
    memory = FixMemory().overlay()
    judge(memory, raw(NOW - timedelta(seconds=10)))
    stale = raw(NOW, lat=SEOUL[0] + 10 * KM_NORTH, gps_valid=False, accuracy_m=9999.0)
    assert isinstance(judge(memory, stale), FixAccepted)


def test_memory_changes_only_when_a_batch_is_committed() -> None:
    memory = FixMemory()
    fix = raw(NOW - timedelta(minutes=1))
    first_try = memory.overlay()
    assert isinstance(judge(first_try, fix), FixAccepted)
    # The publish failed: the redelivered batch must be judged as if new.
    retry = memory.overlay()
    assert isinstance(judge(retry, fix), FixAccepted)
    memory.commit(retry)
    assert reason(judge(memory.overlay(), fix)) == RejectReason.DUPLICATE


def test_memory_is_bounded_per_device_and_in_devices() -> None:
    memory = FixMemory(per_device=3, max_devices=2)
    overlay = memory.overlay()
    for minutes in range(5):
        judge(overlay, raw(NOW - timedelta(minutes=minutes)))
    memory.commit(overlay)
    assert len(memory.recent("dev-1")) == 3
    assert [s.at for s in memory.recent("dev-1")] == sorted(s.at for s in memory.recent("dev-1"))
    for device in ("dev-2", "dev-3"):
        other = memory.overlay()
        judge(other, raw(NOW, device=device))
        memory.commit(other)
    assert memory.recent("dev-1") == [], "the least recently written device is forgotten first"


def test_accepted_fix_keeps_fix_time_and_receiver_quality() -> None:
    fix_time = NOW - timedelta(seconds=40)
    out = normalise(
        raw(NOW - timedelta(seconds=30), fix_time=fix_time, hdop=0.9, satellites=11, driver_id="D-7"),
        {},
        NOW,
        RULES,
    )
    assert isinstance(out, FixAccepted)
    assert (out.fix_time, out.hdop, out.satellites, out.driver_id, out.gps_valid) == (
        fix_time,
        0.9,
        11,
        "D-7",
        True,
    )


def test_nul_characters_are_removed_since_postgresql_cannot_store_them() -> None:
    out = normalise(
        raw(NOW, driver_id="D\x007", attributes={"note\x00": "a\x00b", "list": ["x\x00"], "n": 1}),
        {},
        NOW,
        RULES,
    )
    assert isinstance(out, FixAccepted)
    assert out.driver_id == "D7"
    assert out.attributes == {"note": "ab", "list": ["x"], "n": 1}
