"""The OsmAnd decoder and mapping on requests in the formats real clients send.

Query strings are those of Traccar Client for Android (before 9.0) and of Traccar's own
decoder tests; the JSON bodies are what Traccar Client 9+ (the background-geolocation
SDK) posts, including the iOS variant with -1 for unknown values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from coldchain_contracts import ReeferReading, SpeedUnit
from coldchain_ingest.domain import speed_kmh
from coldchain_ingest.protocols.osmand.decoder import OsmAndReport, decode
from coldchain_ingest.protocols.osmand.mapping import to_raw_fix
from coldchain_ingest.protocols.osmand.values import OsmAndError

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

ANDROID_CLIENT = (
    "/?id=123456&timestamp=1700000000&lat=37.5665&lon=126.9780&speed=10.5&bearing=90"
    "&altitude=35&accuracy=5&batt=87.5"
)
CLIENT_9_JSON = (
    b'{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,'
    b'"longitude":-122.084,"accuracy":5,"speed":12.5,"heading":63,"altitude":5},"is_moving":true,'
    b'"odometer":12345,"event":"motionchange","battery":{"level":0.79,"is_charging":false},'
    b'"activity":{"type":"in_vehicle"},"extras":{"temp1":-19.5,"door":false}},"device_id":"48241179"}'
)
IOS_UNKNOWNS_JSON = (
    b'{"location":{"extras":{},"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,'
    b'"longitude":-122.406417,"ellipsoidal_altitude":0,"floor":null,"heading_accuracy":-1,'
    b'"latitude":37.785834000000001,"accuracy":5,"altitude_accuracy":-1,"altitude":0,"heading":-1},'
    b'"is_moving":false,"age":188,"odometer":0,"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8",'
    b'"event":"motionchange","battery":{"level":-1,"is_charging":false},'
    b'"activity":{"type":"unknown","confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},'
    b'"device_id":"658765"}'
)


def query(url: str) -> OsmAndReport:
    return decode(urlsplit(url).query, None, b"")


def test_android_client_query_string_is_read_field_by_field() -> None:
    report = query(ANDROID_CLIENT)
    assert report.device_id == "123456"
    assert report.device_time == datetime.fromtimestamp(1700000000, UTC)
    assert (report.latitude, report.longitude) == (37.5665, 126.9780)
    assert (report.speed, report.speed_unit, report.heading) == (10.5, None, 90.0)
    assert (report.altitude_m, report.accuracy_m) == (35.0, 5.0)
    assert report.attributes == {"batt": 87.5}


def test_query_speed_is_in_the_devices_unit_knots_by_default() -> None:
    report = query(ANDROID_CLIENT)
    fix = to_raw_fix(report, SpeedUnit.KNOTS, NOW)
    assert (fix.speed, fix.speed_unit) == (10.5, SpeedUnit.KNOTS)
    assert speed_kmh(fix.speed, fix.speed_unit) == pytest.approx(19.446)


@pytest.mark.parametrize(
    ("unit", "kmh"),
    [(SpeedUnit.KMH, 10.5), (SpeedUnit.MPS, 37.8), (SpeedUnit.MPH, 16.898), (SpeedUnit.KNOTS, 19.446)],
)
def test_a_device_configured_for_another_unit_keeps_it(unit: SpeedUnit, kmh: float) -> None:
    fix = to_raw_fix(query(ANDROID_CLIENT), unit, NOW)
    assert fix.speed_unit == unit
    assert speed_kmh(fix.speed, fix.speed_unit) == pytest.approx(kmh, abs=1e-3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1442068686579", datetime(2015, 9, 12, 14, 38, 6, 579000, tzinfo=UTC)),
        ("2016-01-27T18%3A55%3A47Z", datetime(2016, 1, 27, 18, 55, 47, tzinfo=UTC)),
        ("2016-01-27T18:55:47.250%2B09:00", datetime(2016, 1, 27, 9, 55, 47, 250000, tzinfo=UTC)),
        ("2014-06-04+09%3A10%3A11", datetime(2014, 6, 4, 9, 10, 11, tzinfo=UTC)),
        ("2014-06-04%2009:10:11", datetime(2014, 6, 4, 9, 10, 11, tzinfo=UTC)),
    ],
)
def test_every_timestamp_format(value: str, expected: datetime) -> None:
    report = query(f"/?id=1&lat=1&lon=2&timestamp={value}")
    assert report.device_time == expected


def test_a_timestamp_in_no_known_format_is_a_clear_400() -> None:
    with pytest.raises(OsmAndError, match="timestamp='yesterday'") as caught:
        query("/?id=1&lat=1&lon=2&timestamp=yesterday")
    assert caught.value.status == 400


def test_without_timestamp_the_fix_takes_the_time_it_was_received() -> None:
    fix = to_raw_fix(query("/?id=1&lat=60.0&lon=30.0"), SpeedUnit.KNOTS, NOW)
    assert fix.device_time == NOW


def test_location_parameter_carries_lat_and_lon() -> None:
    report = query("/?id=123456&timestamp=1377177267&location=60.0,30.0")
    assert (report.latitude, report.longitude) == (60.0, 30.0)


def test_deviceid_heading_and_unknown_parameters_as_attributes() -> None:
    report = query("/?lat=60.0&lon=30.0&speed=0.0&heading=45.0&vacc=0&hacc=0&altitude=0&deviceid=123456")
    assert report.device_id == "123456"
    assert report.heading == 45.0
    assert report.attributes == {"vacc": 0.0, "hacc": 0.0}


def test_every_other_parameter_is_kept_with_its_type() -> None:
    report = query(
        "/?id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571"
        "&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24&note=door%20left"
    )
    assert report.attributes == {"ignition": True, "rpm": 933.0, "fuel": 24.0, "note": "door left"}
    assert to_raw_fix(report, SpeedUnit.KNOTS, NOW).ignition is True


def test_reefer_attributes_map_to_channels_and_door_and_stay_attributes() -> None:
    fix = to_raw_fix(query("/?id=7&lat=37.5&lon=127&temp1=-18.4&temp2=3.5&door=1"), SpeedUnit.KNOTS, NOW)
    assert fix.temperatures == (
        ReeferReading(channel="A", celsius=-18.4),
        ReeferReading(channel="B", celsius=3.5),
    )
    assert fix.door_open is True
    assert fix.attributes == {"temp1": -18.4, "temp2": 3.5, "door": 1.0}
    assert to_raw_fix(query("/?id=7&lat=37.5&lon=127&door=false"), SpeedUnit.KNOTS, NOW).door_open is False


def test_an_impossible_temperature_is_kept_as_attribute_only() -> None:
    fix = to_raw_fix(query("/?id=7&lat=37.5&lon=127&temp1=850&temp2=abc"), SpeedUnit.KNOTS, NOW)
    assert fix.temperatures == ()
    assert fix.attributes == {"temp1": 850.0, "temp2": "abc"}


def test_named_fields_hdop_charge_driver_and_validity() -> None:
    report = query("/?id=9&lat=1&lon=2&hdop=1.2&charge=true&driverUniqueId=D-42&valid=0&batt=55")
    fix = to_raw_fix(report, SpeedUnit.KNOTS, NOW)
    assert (fix.hdop, fix.driver_id, fix.gps_valid) == (1.2, "D-42", False)
    assert fix.attributes == {"charge": True, "batt": 55.0}
    assert query("/?id=9&lat=1&lon=2&valid=true").valid is True


def test_form_body_is_read_when_the_query_string_is_empty() -> None:
    report = decode("", "application/x-www-form-urlencoded", b"id=55&lat=37.1&lon=127.2&speed=3")
    assert (report.device_id, report.latitude, report.longitude, report.speed) == ("55", 37.1, 127.2, 3.0)


def test_empty_values_are_ignored_and_a_repeated_parameter_keeps_its_last_value() -> None:
    report = query("/?id=1&lat=1&lon=2&lat=3&speed=&bearing=")
    assert (report.latitude, report.speed, report.heading) == (3.0, None, None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/?timestamp=1377177267&lat=60.0&lon=30.0", "id \\(or deviceid\\) is mandatory"),
        ("/?id=1&lat=north&lon=30.0", "lat='north' is not a number"),
        ("/?id=1&location=60.0", "expected lat,lon"),
        ("/?id=1&lat=nan&lon=1", "not a finite number"),
        (f"/?id={'x' * 65}&lat=1&lon=1", "1-64 characters"),
        # The attack that stalled tracking: PostgreSQL refuses U+0000 in any text column.
        ("/?id=abc%00def&lat=1&lon=1", "letters, digits"),
        ("/?id=a%2Fb&lat=1&lon=1", "letters, digits"),
        ("/?id=truck%207&lat=1&lon=1", "letters, digits"),
    ],
)
def test_bad_requests_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(OsmAndError, match=message):
        query(url)


def test_a_request_without_position_is_refused() -> None:
    with pytest.raises(OsmAndError, match="lat and lon"):
        to_raw_fix(query("/?id=1&timestamp=1377177267&batt=50"), SpeedUnit.KNOTS, NOW)


def test_out_of_range_heading_is_refused_and_negative_means_unknown() -> None:
    with pytest.raises(OsmAndError, match="heading"):
        to_raw_fix(query("/?id=1&lat=1&lon=2&bearing=400"), SpeedUnit.KNOTS, NOW)
    assert query("/?id=1&lat=1&lon=2&bearing=-1&speed=-1").heading is None


def test_a_json_device_id_follows_the_same_rule() -> None:
    with pytest.raises(OsmAndError, match="letters, digits"):
        decode("", "application/json", CLIENT_9_JSON.replace(b'"48241179"', b'"4824\\u00001179"'))


def test_traccar_client_9_json_body() -> None:
    report = decode("", "application/json; charset=utf-8", CLIENT_9_JSON)
    assert report.device_id == "48241179"
    assert report.device_time == datetime(2025, 6, 15, 13, 45, 12, 862000, tzinfo=UTC)
    fix = to_raw_fix(report, SpeedUnit.KNOTS, NOW)
    assert (fix.latitude, fix.longitude, fix.heading, fix.altitude_m, fix.accuracy_m) == (
        37.4219983,
        -122.084,
        63.0,
        5.0,
        5.0,
    )
    assert (fix.speed, fix.speed_unit) == (12.5, SpeedUnit.MPS), "JSON speed is m/s whatever the device unit"
    assert speed_kmh(fix.speed, fix.speed_unit) == 45.0
    assert fix.odometer_km == 12.345
    assert fix.gps_valid is True
    assert fix.temperatures == (ReeferReading(channel="A", celsius=-19.5),)
    assert fix.door_open is False
    assert fix.attributes == {
        "event": "motionchange",
        "motion": True,
        "odometer": 12345.0,
        "activity": "in_vehicle",
        "batt": 79.0,
        "charge": False,
        "temp1": -19.5,
        "door": False,
    }


def test_json_minus_one_means_unknown() -> None:
    report = decode("", "application/json", IOS_UNKNOWNS_JSON)
    fix = to_raw_fix(report, SpeedUnit.KNOTS, NOW)
    assert (fix.speed, fix.heading) == (None, None)
    assert "batt" not in fix.attributes
    assert fix.attributes["mock"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b"[]", "must be an object"),
        (b'{"location":{"timestamp":"2025-06-15T13:45:12Z"}}', "device_id is mandatory"),
        (b'{"device_id":"1"}', "location is mandatory"),
        (b'{"device_id":"1","location":{"timestamp":1}}', "ISO-8601"),
        (
            b'{"device_id":"1","location":{"timestamp":"2025-06-15T13:45:12Z","coords":{"latitude":"x"}}}',
            "coords.latitude must be a number",
        ),
    ],
)
def test_bad_json_bodies_say_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(OsmAndError, match=message):
        decode("", "application/json", body)
