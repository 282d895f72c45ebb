"""UVIS answers (DOMAIN.md format: all strings, Korea time, sign + magnitude) into fixes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coldchain_contracts import ChannelState, ReeferReading, SpeedUnit
from coldchain_ingest.protocols.uvis.fixes import Kind, advanced, new_gps, new_temperatures, to_fixes
from coldchain_ingest.protocols.uvis.parsing import (
    NotJson,
    RecordError,
    access_key,
    channel,
    gps_record,
    kst_to_utc,
    parse_json,
    read_list,
    temperature_record,
)

pytestmark = pytest.mark.unit

GPS = {
    "TID_ID": "T100234",
    "CM_NUMBER": "서울12가3456",
    "BI_DATE": "20261126",
    "BI_TIME": "083015",
    "BI_TURN_ONOFF": "1",
    "BI_X_POSITION": "37.4979",
    "BI_Y_POSITION": "127.0276",
    "BI_GPS_SPEED": "42",
}
TEMP = {
    "OFF_KEY": "C0042     ",
    "TID_ID": "T100234",
    "CM_NUMBER": "서울12가3456",
    "TPL_DATE": "20261126",
    "TPL_TIME": "083015",
    "TPL_X_POSITION": "37.4979",
    "TPL_Y_POSITION": "127.0276",
    "TPL_SIGNAL_A": "1",
    "TPL_DEGREE_A": "18.5",
    "TPL_SIGNAL_B": "0",
    "TPL_DEGREE_B": "NOUSE",
}


def test_korea_time_becomes_utc() -> None:
    assert kst_to_utc("20261126", "083015") == datetime(2026, 11, 25, 23, 30, 15, tzinfo=UTC)
    assert kst_to_utc("20260101", "000000") == datetime(2025, 12, 31, 15, 0, tzinfo=UTC)


def test_gps_record_x_is_latitude_y_is_longitude() -> None:
    record = gps_record(GPS)
    assert (record.terminal_id, record.latitude, record.longitude) == ("T100234", 37.4979, 127.0276)
    assert (record.speed_kmh, record.ignition) == (42.0, True)
    assert record.device_time == datetime(2026, 11, 25, 23, 30, 15, tzinfo=UTC)
    assert record.attributes == {"plate": "서울12가3456", "uvis_engine": "1"}


def test_speed_255_means_no_valid_speed() -> None:
    assert gps_record({**GPS, "BI_GPS_SPEED": "255"}).speed_kmh is None


def test_temperature_sign_flag_and_magnitude() -> None:
    assert channel("A", "1", "18.5") == ReeferReading(channel="A", celsius=-18.5)
    assert channel("A", "0", " 3.0 ") == ReeferReading(channel="A", celsius=3.0)
    assert channel("A", "0", "OPEN") == ReeferReading(channel="A", state=ChannelState.PROBE_DISCONNECTED)
    assert channel("B", "", "NOUSE") == ReeferReading(channel="B", state=ChannelState.UNUSED)


@pytest.mark.parametrize(("signal", "degree"), [("2", "5.0"), ("0", "hot"), ("1", "250")])
def test_unreadable_channels_are_record_errors(signal: str, degree: str) -> None:
    with pytest.raises(RecordError):
        channel("A", signal, degree)


@pytest.mark.parametrize("terminal", ["T10\x000234", "T 100234", "T/1", "x" * 65])
def test_a_terminal_id_outside_the_identifier_rule_is_a_record_error(terminal: str) -> None:
    with pytest.raises(RecordError, match="TID_ID"):
        gps_record({**GPS, "TID_ID": terminal})


def test_temperature_record_strips_padding() -> None:
    record = temperature_record(TEMP)
    assert record.readings == (
        ReeferReading(channel="A", celsius=-18.5),
        ReeferReading(channel="B", state=ChannelState.UNUSED),
    )
    assert record.attributes == {"plate": "서울12가3456", "uvis_customer": "C0042"}


def test_a_bad_record_is_reported_and_the_others_kept() -> None:
    good, errors = read_list([GPS, {**GPS, "BI_X_POSITION": "north"}, "junk", {"TID_ID": "x"}], gps_record)
    assert len(good) == 1
    assert len(errors) == 3
    assert "BI_X_POSITION='north'" in errors[0]


def test_access_key_from_object_or_one_element_list() -> None:
    assert access_key({"AccessKey": "K1"}) == "K1"
    assert access_key([{"AccessKey": " K2 "}]) == "K2"
    assert access_key({"result": "fail"}) is None
    assert access_key([{"AccessKey": "a"}, {"AccessKey": "b"}]) is None


def test_json_in_utf8_or_cp949_and_non_json_answers() -> None:
    text = '[{"CM_NUMBER": "서울12가3456"}]'
    assert parse_json(text.encode("utf-8")) == [{"CM_NUMBER": "서울12가3456"}]
    assert parse_json(text.encode("cp949")) == [{"CM_NUMBER": "서울12가3456"}]
    with pytest.raises(NotJson):
        parse_json(b"<html><body>Service Unavailable</body></html>")


def test_only_records_after_the_cursor_are_new() -> None:
    first = gps_record(GPS)
    later = gps_record({**GPS, "BI_TIME": "083515"})
    cursors = {("T100234", Kind.GPS): first.device_time}
    assert new_gps(cursors, [first]) == []
    assert new_gps(cursors, [later, later]) == [later]
    assert new_gps({}, [first]) == [first]
    assert new_temperatures(cursors, [temperature_record(TEMP)]) != [], "cursors are per list"


def test_cursors_only_move_forward() -> None:
    first = gps_record(GPS)
    earlier = gps_record({**GPS, "BI_TIME": "080000"})
    moved = advanced({("T100234", Kind.GPS): first.device_time}, [earlier], [])
    assert moved == {}
    assert advanced({}, [first], [temperature_record(TEMP)]) == {
        ("T100234", Kind.GPS): first.device_time,
        ("T100234", Kind.TEMPERATURE): first.device_time,
    }


def test_gps_and_temperature_of_the_same_moment_make_one_fix() -> None:
    [fix] = to_fixes([gps_record(GPS)], [temperature_record(TEMP)])
    assert fix.terminal_id == "T100234"
    assert (fix.fix.speed, fix.fix.speed_unit, fix.fix.ignition) == (42.0, SpeedUnit.KMH, True)
    assert fix.fix.temperatures[0].celsius == -18.5
    assert fix.fix.device_time == datetime(2026, 11, 25, 23, 30, 15, tzinfo=UTC)


def test_records_of_different_moments_are_separate_fixes_oldest_first() -> None:
    fixes = to_fixes([gps_record({**GPS, "BI_TIME": "083515"})], [temperature_record(TEMP)])
    assert [f.fix.speed for f in fixes] == [None, 42.0]
    assert fixes[0].fix.temperatures != ()
