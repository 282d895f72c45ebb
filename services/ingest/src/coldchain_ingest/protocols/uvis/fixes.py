"""New UVIS records into raw fixes; no I/O.

Deduplication: the GPS and temperature lists carry the latest record per terminal, so
consecutive polls repeat records. A record is new when its device time is after the
last one seen for that terminal and list (`Cursor`); older or equal ones are skipped.
A GPS and a temperature record of one terminal with the same device time become one
fix; otherwise each record is a fix of its own (a temperature fix has its own position).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from coldchain_contracts import RawFix, SpeedUnit
from coldchain_ingest.protocols.uvis.parsing import GpsRecord, TemperatureRecord


class Kind(StrEnum):
    GPS = "gps"
    TEMPERATURE = "temperature"


CursorKey = tuple[str, Kind]  # (terminal id, list)
Cursors = Mapping[CursorKey, datetime]


@dataclass(frozen=True, slots=True)
class UvisFix:
    terminal_id: str
    fix: RawFix


def is_new(cursors: Cursors, terminal_id: str, kind: Kind, device_time: datetime) -> bool:
    last = cursors.get((terminal_id, kind))
    return last is None or device_time > last


def new_gps(cursors: Cursors, records: Sequence[GpsRecord]) -> list[GpsRecord]:
    unique = {(r.terminal_id, r.device_time): r for r in records}
    return sorted(
        (r for r in unique.values() if is_new(cursors, r.terminal_id, Kind.GPS, r.device_time)),
        key=lambda r: r.device_time,
    )


def new_temperatures(cursors: Cursors, records: Sequence[TemperatureRecord]) -> list[TemperatureRecord]:
    unique = {(r.terminal_id, r.device_time): r for r in records}
    return sorted(
        (r for r in unique.values() if is_new(cursors, r.terminal_id, Kind.TEMPERATURE, r.device_time)),
        key=lambda r: r.device_time,
    )


def advanced(
    cursors: Cursors, gps: Sequence[GpsRecord], temps: Sequence[TemperatureRecord]
) -> dict[CursorKey, datetime]:
    """The cursors that move after publishing these records (only ever forward)."""
    moved: dict[CursorKey, datetime] = {}
    seen = [((r.terminal_id, Kind.GPS), r.device_time) for r in gps]
    seen += [((r.terminal_id, Kind.TEMPERATURE), r.device_time) for r in temps]
    for key, at in seen:
        current = moved.get(key, cursors.get(key))
        if current is None or at > current:
            moved[key] = at
    return moved


def to_fixes(gps: Sequence[GpsRecord], temps: Sequence[TemperatureRecord]) -> list[UvisFix]:
    """One fix per (terminal, device time), oldest first, GPS and temperature merged."""
    by_key_gps = {(r.terminal_id, r.device_time): r for r in gps}
    by_key_temp = {(r.terminal_id, r.device_time): r for r in temps}
    fixes = []
    for key in sorted(by_key_gps.keys() | by_key_temp.keys(), key=lambda k: (k[1], k[0])):
        fixes.append(UvisFix(key[0], _fix(by_key_gps.get(key), by_key_temp.get(key))))
    return fixes


def _fix(gps: GpsRecord | None, temp: TemperatureRecord | None) -> RawFix:
    position = gps or temp
    assert position is not None
    attributes = {**(temp.attributes if temp else {}), **(gps.attributes if gps else {})}
    return RawFix(
        device_time=position.device_time,
        latitude=position.latitude,
        longitude=position.longitude,
        speed=gps.speed_kmh if gps else None,
        speed_unit=SpeedUnit.KMH,
        ignition=gps.ignition if gps else None,
        temperatures=temp.readings if temp else (),
        attributes=attributes,
    )
