"""The temperature record of one order (pure): what an auditor asks for, per compartment.

For each compartment the order occupied, between its pick-up (departure from the pick-up
site, when the goods are on board) and its delivery (departure from the drop-off site),
the readings with min / max / mean, minutes out of band, the excursions tracking recorded,
and the gaps in coverage longer than the recording interval (EN 12830 recorders log at
least every 5 minutes).

Rules, so the figures can be recomputed by hand:
- a reading is a channel value with state `ok`; a disconnected probe or a missing value
  is no reading (it opens a gap, it does not count as in band);
- a reading holds until the next one, at most for the recording interval: minutes out of
  band are the held minutes of readings outside the band, except while the unit defrosts
  (tracking's excursion rule ignores defrost too);
- a gap is a stretch longer than the interval without a reading, from the window's start
  to the first reading, between two readings, or from the last reading to the window's end;
- the mean is the plain mean of the readings (as loggers print it);
- verdict: `excursion` when an excursion overlapped the window (a finding no missing data
  can undo); else `incomplete` when the order is not delivered, a compartment is unknown or
  has no reading, or there is a gap; else `in_band`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise


class Verdict(StrEnum):
    IN_BAND = "in_band"
    EXCURSION = "excursion"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Reading:
    at: datetime
    celsius: float
    door_open: bool | None = None
    defrost: bool | None = None


@dataclass(frozen=True, slots=True)
class Band:
    low: float
    high: float

    def contains(self, celsius: float) -> bool:
        return self.low <= celsius <= self.high


@dataclass(frozen=True, slots=True)
class Excursion:
    excursion_id: str
    started_at: datetime
    ended_at: datetime | None
    peak_celsius: float | None = None
    band: Band | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.started_at < end and (self.ended_at is None or self.ended_at >= start)


@dataclass(frozen=True, slots=True)
class Gap:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True, slots=True)
class CompartmentRecord:
    channel: str
    band: Band | None
    readings: tuple[Reading, ...]
    excursions: tuple[Excursion, ...]
    gaps: tuple[Gap, ...]
    minutes_out_of_band: float
    min_celsius: float | None
    max_celsius: float | None
    mean_celsius: float | None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    start: datetime
    end: datetime
    delivered: bool
    compartments: tuple[CompartmentRecord, ...]
    verdict: Verdict
    reasons: tuple[str, ...] = field(default=())


def _gaps(times: Sequence[datetime], start: datetime, end: datetime, interval: timedelta) -> list[Gap]:
    edges = [start, *times, end]
    return [Gap(a, b) for a, b in pairwise(edges) if b - a > interval]


def _minutes_out(readings: Sequence[Reading], band: Band | None, end: datetime, interval: timedelta) -> float:
    if band is None:
        return 0.0
    total = 0.0
    for index, reading in enumerate(readings):
        following = readings[index + 1].at if index + 1 < len(readings) else end
        held = min(following, reading.at + interval, end) - reading.at
        if not band.contains(reading.celsius) and not reading.defrost:
            total += max(held.total_seconds(), 0.0) / 60
    return total


def compartment_record(
    channel: str,
    readings: Sequence[Reading],
    band: Band | None,
    excursions: Sequence[Excursion],
    start: datetime,
    end: datetime,
    interval: timedelta,
) -> CompartmentRecord:
    """One compartment's record over [start, end]; readings outside it are ignored."""
    inside = sorted((r for r in readings if start <= r.at <= end), key=lambda r: r.at)
    values = [r.celsius for r in inside]
    return CompartmentRecord(
        channel=channel,
        band=band,
        readings=tuple(inside),
        excursions=tuple(e for e in excursions if e.overlaps(start, end)),
        gaps=tuple(_gaps([r.at for r in inside], start, end, interval)),
        minutes_out_of_band=round(_minutes_out(inside, band, end, interval), 3),
        min_celsius=min(values) if values else None,
        max_celsius=max(values) if values else None,
        mean_celsius=round(sum(values) / len(values), 3) if values else None,
    )


def verdict_of(compartments: Sequence[CompartmentRecord], delivered: bool) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict and the sentences that justify it."""
    excursions = [f"excursion on compartment {c.channel}" for c in compartments for _ in c.excursions]
    if excursions:
        return Verdict.EXCURSION, tuple(excursions)
    reasons: list[str] = []
    if not delivered:
        reasons.append("the order is not delivered yet")
    if not compartments:
        reasons.append("no compartment of the order is known")
    for c in compartments:
        if not c.readings:
            reasons.append(f"compartment {c.channel} has no reading")
        elif c.gaps:
            longest = max(g.minutes for g in c.gaps)
            reasons.append(
                f"compartment {c.channel} has {len(c.gaps)} gap(s) in coverage, longest {longest:.1f} min"
            )
    if reasons:
        return Verdict.INCOMPLETE, tuple(reasons)
    return Verdict.IN_BAND, ()


def order_record(
    compartments: Sequence[CompartmentRecord], start: datetime, end: datetime, delivered: bool
) -> OrderRecord:
    verdict, reasons = verdict_of(compartments, delivered)
    return OrderRecord(
        start=start,
        end=end,
        delivered=delivered,
        compartments=tuple(compartments),
        verdict=verdict,
        reasons=reasons,
    )
