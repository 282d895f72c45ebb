"""AVL records to raw fixes: which IO element means what (configurable), pure.

Defaults follow Teltonika's FMB AVL ID list: 239 ignition, 240 movement, 66 external
voltage (mV), 16 total odometer (m), 182 GNSS HDOP (x0.1), 78 iButton (driver), digital
input 2 as the door switch (installation-specific: override it), Dallas temperature
1 and 2 (AVL 72, 73; signed, 0.1 °C) as compartments A and B. The layers are
`DEFAULT_IO_MAP` < fleet-wide `INGEST_TELTONIKA_IO_MAP` < the device's registry options;
an id of 0 switches a mapping off. Every IO element is also kept as `io<ID>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from coldchain_contracts import ChannelState, RawFix, ReeferReading, SpeedUnit
from coldchain_contracts.devices import TeltonikaIoMap, TemperatureProbe
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, IoElement, MalformedFrame

DEFAULT_IO_MAP = TeltonikaIoMap(
    ignition=239,
    movement=240,
    external_voltage=66,
    odometer=16,
    hdop=182,
    door=2,
    door_open_value=1,
    driver=78,
    temperatures=(
        TemperatureProbe(channel="A", io=72, sensor="dallas"),
        TemperatureProbe(channel="B", io=73, sensor="dallas"),
    ),
)

# Raw values that are not temperatures but a probe state (Teltonika AVL ID list).
_DALLAS_FAULTS = {
    850: "not_ready",
    2000: "read_error",
    3000: "not_connected",
    4000: "id_failed",
    5000: "duplicate_id",
}
_BLE_FAULTS = {2000: "parse_failed", 3000: "not_found", 4000: "abnormal"}
_SCALE = {"dallas": 0.1, "ble": 0.01}
_NO_FIX_DEG = 1e-7


def layered(*maps: TeltonikaIoMap | None) -> TeltonikaIoMap:
    """Later maps override the fields they set explicitly."""
    merged: dict[str, Any] = {}
    for io_map in maps:
        if io_map is not None:
            merged.update({name: getattr(io_map, name) for name in io_map.model_fields_set})
    return DEFAULT_IO_MAP.model_copy(update=merged)


@dataclass(frozen=True, slots=True)
class _Io:
    by_id: dict[int, IoElement]

    def get(self, io_id: int | None) -> IoElement | None:
        return self.by_id.get(io_id) if io_id else None

    def number(self, io_id: int | None) -> int | None:
        element = self.get(io_id)
        return element.value if element is not None and isinstance(element.value, int) else None


def has_gps_fix(record: AvlRecord) -> bool:
    """No satellites, or (0, 0), means the tracker had no fix (it repeats its last position)."""
    gps = record.gps
    at_origin = abs(gps.latitude) < _NO_FIX_DEG and abs(gps.longitude) < _NO_FIX_DEG
    return gps.satellites > 0 and not at_origin


def reading(probe: TemperatureProbe, element: IoElement) -> tuple[ReeferReading, str | None]:
    """A compartment reading and, for a sentinel value, the probe fault it stands for."""
    raw = element.signed()
    fault = (_DALLAS_FAULTS if probe.sensor == "dallas" else _BLE_FAULTS).get(raw)
    celsius = round(raw * _SCALE[probe.sensor], 2)
    if fault is None and -100.0 <= celsius <= 100.0:
        return ReeferReading(channel=probe.channel, celsius=celsius), None
    fault = fault or "out_of_range"
    return ReeferReading(channel=probe.channel, state=ChannelState.PROBE_DISCONNECTED), fault


def io_attribute(element: IoElement) -> int | str:
    return element.value.hex() if isinstance(element.value, bytes) else element.value


def to_raw_fix(record: AvlRecord, io_map: TeltonikaIoMap) -> RawFix:
    """One AVL record as a raw fix; raises MalformedFrame for an impossible timestamp."""
    try:
        device_time = datetime.fromtimestamp(record.timestamp_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedFrame(f"timestamp {record.timestamp_ms} ms is not a date") from exc
    io = _Io({element.id: element for element in record.io})
    attributes: dict[str, Any] = {f"io{e.id}": io_attribute(e) for e in record.io}
    attributes.update(priority=record.priority, event_io=record.event_io_id)
    movement = io.number(io_map.movement)
    if movement is not None:
        attributes["motion"] = movement == 1
    temperatures = []
    for probe in io_map.temperatures or ():
        element = io.get(probe.io)
        if element is None or isinstance(element.value, bytes):
            continue
        temperature, fault = reading(probe, element)
        temperatures.append(temperature)
        if fault is not None:
            attributes[f"temp{probe.channel}_fault"] = fault
    gps = record.gps
    return RawFix(
        device_time=device_time,
        latitude=gps.latitude,
        longitude=gps.longitude,
        speed=float(gps.speed_kmh),
        speed_unit=SpeedUnit.KMH,
        heading=float(gps.angle) if gps.angle <= 360 else None,
        altitude_m=float(gps.altitude_m),
        satellites=gps.satellites,
        gps_valid=has_gps_fix(record),
        ignition=_flag(io.number(io_map.ignition), 1),
        odometer_km=_scaled(io.number(io_map.odometer), 0.001),
        battery_v=_scaled(io.number(io_map.external_voltage), 0.001),
        hdop=_scaled(io.number(io_map.hdop), 0.1),
        door_open=_flag(
            io.number(io_map.door), 1 if io_map.door_open_value is None else io_map.door_open_value
        ),
        driver_id=_driver(io.number(io_map.driver)),
        temperatures=tuple(temperatures),
        attributes=attributes,
    )


def _flag(value: int | None, true_value: int) -> bool | None:
    return None if value is None else value == true_value


def _scaled(value: int | None, factor: float) -> float | None:
    return None if value is None else round(value * factor, 3)


def _driver(value: int | None) -> str | None:
    """iButton id as Teltonika's configurator shows it (16 hex digits); 0 means none."""
    return f"{value:016X}" if value else None
