"""Temperature excursions per compartment channel.

Band: the load's setpoint ± `setpoint_tolerance_c` when the load sets one for the
channel, else the band of the compartment's zone (ambient: unmonitored unless
configured). A reading outside the band starts a candidate; if the compartment is
still outside after `grace_s` the excursion opens (dated `started_at` = first outside
reading, `at` = started_at + grace). It closes at the first reading back inside the band
by at least `hysteresis_c` (a reading just inside the edge keeps it open). While the
defrost flag is set, readings neither start nor confirm an excursion (a pending one is
dropped) nor move the peak; an excursion already open stays open. A missing reading or
a disconnected probe is no information: the last judgement holds (the probe alert
covers it).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import (
    ChannelState,
    CompartmentCondition,
    ExcursionClosed,
    ExcursionOpened,
    ReeferReading,
    TemperatureZone,
)
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis.ids import event_id, subject_id
from coldchain_tracking.analysis.sample import Point


class Band(BaseModel):
    model_config = ConfigDict(frozen=True)

    low: float
    high: float
    zone: TemperatureZone | None = None

    def outside_by(self, celsius: float) -> float:
        """Degrees outside the band (0 inside)."""
        return max(self.low - celsius, celsius - self.high, 0.0)

    def well_inside(self, celsius: float, hysteresis: float) -> bool:
        return self.low + hysteresis <= celsius <= self.high - hysteresis


class OpenExcursion(BaseModel):
    model_config = ConfigDict(frozen=True)

    excursion_id: uuid.UUID
    started_at: datetime


class ChannelWatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    out_since: datetime | None = None
    peak_celsius: float | None = None
    last_celsius: float | None = None
    defrost: bool = False
    excursion: OpenExcursion | None = None

    def condition(self, band: Band | None) -> CompartmentCondition:
        if band is None:
            return CompartmentCondition.UNMONITORED
        if self.excursion is not None:
            return CompartmentCondition.EXCURSION
        if self.defrost:
            return CompartmentCondition.DEFROST
        if self.last_celsius is None:
            return CompartmentCondition.NO_READING
        if self.out_since is not None:
            return CompartmentCondition.OUT_OF_BAND
        return CompartmentCondition.IN_BAND


Step = tuple[ChannelWatch, list[TrackingEvent]]


def observe(
    watch: ChannelWatch,
    channel: str,
    band: Band | None,
    reading: ReeferReading | None,
    defrost: bool,
    where: Point,
    vehicle_id: str,
    grace_s: float,
    hysteresis_c: float,
) -> Step:
    watch, events = elapse(watch, channel, band, where, vehicle_id, grace_s)
    if reading is None or reading.state is not ChannelState.OK or reading.celsius is None:
        return watch.model_copy(update={"defrost": defrost}), events
    celsius = reading.celsius
    if band is None:
        return ChannelWatch(last_celsius=celsius, defrost=defrost), events
    if defrost:
        if watch.excursion is None:
            return ChannelWatch(last_celsius=celsius, defrost=True), events
        return watch.model_copy(update={"last_celsius": celsius, "defrost": True}), events
    watch = watch.model_copy(update={"last_celsius": celsius, "defrost": False})
    open_excursion = watch.excursion
    if open_excursion is not None:
        watch = _with_peak(watch, band, celsius)
        if band.well_inside(celsius, hysteresis_c):
            events.append(_closed(watch, open_excursion, channel, where, vehicle_id))
            return ChannelWatch(last_celsius=celsius), events
        return watch, events
    if band.outside_by(celsius) == 0:
        return ChannelWatch(last_celsius=celsius), events
    if watch.out_since is None:
        watch = watch.model_copy(update={"out_since": where.at, "peak_celsius": celsius})
    watch = _with_peak(watch, band, celsius)
    watch, confirmed = elapse(watch, channel, band, where, vehicle_id, grace_s)
    return watch, events + confirmed


def elapse(
    watch: ChannelWatch, channel: str, band: Band | None, where: Point, vehicle_id: str, grace_s: float
) -> Step:
    """Time has reached `where.at`: an outside candidate still standing after the grace opens."""
    since = watch.out_since
    if band is None or watch.excursion is not None or watch.defrost or since is None:
        return watch, []
    if (where.at - since).total_seconds() < grace_s:
        return watch, []
    excursion = OpenExcursion(
        excursion_id=subject_id("excursion", vehicle_id, channel, since), started_at=since
    )
    opened = ExcursionOpened(
        event_id=event_id(excursion.excursion_id, "ExcursionOpened"),
        vehicle_id=vehicle_id,
        at=since + timedelta(seconds=grace_s),
        latitude=where.latitude,
        longitude=where.longitude,
        excursion_id=excursion.excursion_id,
        channel=channel,
        zone=band.zone,
        band_low_celsius=band.low,
        band_high_celsius=band.high,
        started_at=since,
        celsius=watch.last_celsius if watch.last_celsius is not None else 0.0,
    )
    return watch.model_copy(update={"excursion": excursion}), [opened]


def _with_peak(watch: ChannelWatch, band: Band, celsius: float) -> ChannelWatch:
    peak = watch.peak_celsius
    if peak is None or band.outside_by(celsius) > band.outside_by(peak):
        return watch.model_copy(update={"peak_celsius": celsius})
    return watch


def _closed(
    watch: ChannelWatch, excursion: OpenExcursion, channel: str, where: Point, vehicle_id: str
) -> ExcursionClosed:
    return ExcursionClosed(
        event_id=event_id(excursion.excursion_id, "ExcursionClosed"),
        vehicle_id=vehicle_id,
        at=where.at,
        latitude=where.latitude,
        longitude=where.longitude,
        excursion_id=excursion.excursion_id,
        channel=channel,
        started_at=excursion.started_at,
        duration_s=(where.at - excursion.started_at).total_seconds(),
        peak_celsius=watch.peak_celsius if watch.peak_celsius is not None else 0.0,
    )
