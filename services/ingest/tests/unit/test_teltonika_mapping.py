"""AVL records to raw fixes: GPS validity, the default IO map, overrides, probe sentinels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coldchain_contracts import ChannelState, SpeedUnit
from coldchain_contracts.devices import TeltonikaIoMap, TemperatureProbe
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, GpsElement, IoElement, MalformedFrame
from coldchain_ingest.protocols.teltonika.mapping import DEFAULT_IO_MAP, layered, to_raw_fix

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def signed(value: int, size: int) -> int:
    return value & ((1 << (8 * size)) - 1)


def record(*io: IoElement, lat: float = 37.4979, lon: float = 127.0276, satellites: int = 9) -> AvlRecord:
    gps = GpsElement(
        longitude=lon, latitude=lat, altitude_m=31, angle=275, satellites=satellites, speed_kmh=42
    )
    return AvlRecord(
        timestamp_ms=int(AT.timestamp() * 1000), priority=1, gps=gps, event_io_id=239, total_io=len(io), io=io
    )


def test_gps_element_and_known_ios_map_to_fix_fields() -> None:
    fix = to_raw_fix(
        record(
            IoElement(239, 1, 1),
            IoElement(240, 1, 1),
            IoElement(66, 2, 24079),
            IoElement(16, 4, 22949000),
            IoElement(182, 2, 9),
            IoElement(2, 1, 1),
            IoElement(78, 8, 0x1D00000A1B2C3D01),
        ),
        DEFAULT_IO_MAP,
    )
    assert fix.device_time == AT
    assert (fix.latitude, fix.longitude, fix.altitude_m, fix.heading) == (37.4979, 127.0276, 31.0, 275.0)
    assert (fix.speed, fix.speed_unit, fix.satellites, fix.gps_valid) == (42.0, SpeedUnit.KMH, 9, True)
    assert (fix.ignition, fix.battery_v, fix.odometer_km, fix.hdop) == (True, 24.079, 22949.0, 0.9)
    assert (fix.door_open, fix.driver_id) == (True, "1D00000A1B2C3D01")
    assert fix.attributes["motion"] is True
    assert fix.attributes["io66"] == 24079, "every IO element is kept as io<ID>"
    assert (fix.attributes["priority"], fix.attributes["event_io"]) == (1, 239)


@pytest.mark.parametrize(("lat", "lon", "satellites"), [(37.5, 127.0, 0), (0.0, 0.0, 7)])
def test_no_satellites_or_the_origin_means_no_gps_fix(lat: float, lon: float, satellites: int) -> None:
    fix = to_raw_fix(record(lat=lat, lon=lon, satellites=satellites), DEFAULT_IO_MAP)
    assert fix.gps_valid is False


def test_dallas_probes_feed_compartments_a_and_b_in_tenths_of_a_degree() -> None:
    fix = to_raw_fix(record(IoElement(72, 4, signed(-195, 4)), IoElement(73, 4, 42)), DEFAULT_IO_MAP)
    assert [(t.channel, t.celsius, t.state) for t in fix.temperatures] == [
        ("A", -19.5, ChannelState.OK),
        ("B", 4.2, ChannelState.OK),
    ]


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        (850, "not_ready"),
        (2000, "read_error"),
        (3000, "not_connected"),
        (4000, "id_failed"),
        (5000, "duplicate_id"),
    ],
)
def test_dallas_sentinel_values_are_probe_states_not_temperatures(raw: int, fault: str) -> None:
    fix = to_raw_fix(record(IoElement(72, 4, raw)), DEFAULT_IO_MAP)
    [reading] = fix.temperatures
    assert (reading.channel, reading.celsius, reading.state) == ("A", None, ChannelState.PROBE_DISCONNECTED)
    assert fix.attributes["tempA_fault"] == fault


def test_a_ble_probe_reads_hundredths_and_its_own_sentinels() -> None:
    io_map = layered(TeltonikaIoMap(temperatures=(TemperatureProbe(channel="A", io=25, sensor="ble"),)))
    ok = to_raw_fix(record(IoElement(25, 2, signed(-1834, 2))), io_map)
    lost = to_raw_fix(record(IoElement(25, 2, 3000)), io_map)
    assert ok.temperatures[0].celsius == -18.34
    assert (lost.temperatures[0].state, lost.attributes["tempA_fault"]) == (
        ChannelState.PROBE_DISCONNECTED,
        "not_found",
    )


def test_a_channel_whose_element_is_absent_has_no_reading() -> None:
    assert to_raw_fix(record(IoElement(239, 1, 0)), DEFAULT_IO_MAP).temperatures == ()


def test_overrides_layer_fleet_then_device_and_zero_switches_a_mapping_off() -> None:
    fleet = TeltonikaIoMap(door=3, door_open_value=0)
    device = TeltonikaIoMap(ignition=0, temperatures=(TemperatureProbe(channel="B", io=74),))
    io_map = layered(fleet, device)
    assert (io_map.door, io_map.door_open_value, io_map.ignition, io_map.odometer) == (3, 0, 0, 16)
    fix = to_raw_fix(
        record(
            IoElement(239, 1, 1), IoElement(3, 1, 0), IoElement(72, 4, 10), IoElement(74, 4, signed(-5, 4))
        ),
        io_map,
    )
    assert fix.ignition is None, "switched off for this device"
    assert fix.door_open is True, "DIN3 low means open on this installation"
    assert [(t.channel, t.celsius) for t in fix.temperatures] == [("B", -0.5)]


def test_unset_override_fields_keep_the_defaults() -> None:
    assert layered(None, TeltonikaIoMap()) == DEFAULT_IO_MAP


def test_an_impossible_timestamp_is_malformed() -> None:
    bad = AvlRecord(
        timestamp_ms=2**63,
        priority=0,
        gps=record().gps,
        event_io_id=0,
        total_io=0,
        io=(),
    )
    with pytest.raises(MalformedFrame, match="not a date"):
        to_raw_fix(bad, DEFAULT_IO_MAP)


def test_variable_length_values_are_kept_as_hex() -> None:
    fix = to_raw_fix(record(IoElement(256, 17, b"WVWZZZ1JZXW000001")), DEFAULT_IO_MAP)
    assert fix.attributes["io256"] == b"WVWZZZ1JZXW000001".hex()
