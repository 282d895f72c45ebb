"""One vehicle's analysis state and the two ways it moves forward: fixes and the clock.

Order: fixes are analysed strictly in device-time order. A fix first waits in a small
reorder buffer and is analysed once a fix `lateness_s` newer (device time) has
arrived, or once nothing has been received for `flush_after_s` (`tick` flushes the
buffer). So a late fix that fills a gap within that allowance is analysed in its
place, as if it had come in order. A fix at or before the watermark (the device time
up to which analysis is final) is late: it is stored in history but changes neither
analysis nor live state. Nothing published is ever retracted.

Clocks: every device-time rule (stop, dwell, grace, slow, loaded) advances its timer
to each fix's device time before applying the fix, and reads "what was observed holds
until contradicted"; the wall clock never drives them, so the result is a function of
the fixes alone, and a re-run gives the same events with the same ids. Only `offline`
(nothing received for `offline_after_s`) runs on receipt time, driven by the sweeper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from coldchain_contracts import AlertKind
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis import alerts, excursions, geofences, observers, trips
from coldchain_tracking.analysis.alerts import AlertTrack
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.motion import classify, is_moving, speed_of
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.state import VehicleAnalysis


@dataclass(frozen=True)
class Outcome:
    state: VehicleAnalysis
    events: list[TrackingEvent]
    changed: bool = False
    """The state must be stored (its revision went up)."""
    late: int = 0
    duplicates: int = 0


def advance(state: VehicleAnalysis, fixes: Iterable[Sample], ctx: AnalysisContext) -> Outcome:
    """Take a vehicle's fixes (any order, duplicates allowed) and analyse what is now final."""
    fixes = list(fixes)
    events: list[TrackingEvent] = []
    before = state
    state = _heard_from(state, fixes, ctx, events)
    buffered = {s.at: s for s in state.buffer}
    late = duplicates = 0
    for sample in fixes:
        if state.watermark is not None and sample.at <= state.watermark:
            late += 1
        elif sample.at in buffered:
            duplicates += 1
        else:
            buffered[sample.at] = sample
    if len(buffered) > len(state.buffer):
        state = state.model_copy(update={"buffer": tuple(sorted(buffered.values(), key=lambda s: s.at))})
        newest = state.buffer[-1].at
        state = _run_until(state, newest - timedelta(seconds=ctx.config.lateness_s), ctx, events)
    if state == before:
        return Outcome(state, [], late=late, duplicates=duplicates)
    return Outcome(_bumped(state), events, True, late, duplicates)


def tick(state: VehicleAnalysis, now: datetime, ctx: AnalysisContext) -> Outcome:
    """The wall clock reached `now`: offline alert, and a quiet vehicle's buffer is flushed.

    Flushing moves the watermark only to the newest buffered fix, never to `now`, so a
    backlog the device uploads later (newer than that fix) is still analysed in order.
    """
    cfg = ctx.config
    events: list[TrackingEvent] = []
    before = state
    heard = state.last_received_at
    if heard is not None:
        quiet_s = (now - heard).total_seconds()
        if state.buffer and quiet_s >= cfg.flush_after_s:
            state = _run_until(state, state.buffer[-1].at, ctx, events)
        where = _where(state, now)
        track = state.alerts.get(AlertKind.OFFLINE.value)
        rule = observers.rule(AlertKind.OFFLINE, cfg)
        if quiet_s >= cfg.offline_after_s:
            detail = f"no fix received since {heard.isoformat()}"
            track, ev = alerts.observe(
                track or AlertTrack(kind=AlertKind.OFFLINE),
                True,
                where,
                rule,
                state.vehicle_id,
                detail,
                since=heard,
            )
            events += ev
        elif track is not None:
            track, ev = alerts.elapse(track, where, rule, state.vehicle_id)
            events += ev
        state = observers.with_track(state, AlertKind.OFFLINE.value, track)
    if state == before:
        return Outcome(state, [])
    return Outcome(_bumped(state), events, True)


def _heard_from(
    state: VehicleAnalysis, fixes: list[Sample], ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    """Any fix, even a late one, shows the device is online (receipt time, not device time)."""
    if not fixes:
        return state
    newest = max(fixes, key=lambda s: s.received_at or s.at)
    heard = newest.received_at or newest.at
    if state.last_received_at is not None and heard <= state.last_received_at:
        return state
    state = state.model_copy(update={"last_received_at": heard})
    track = state.alerts.get(AlertKind.OFFLINE.value)
    if track is None:
        return state
    here = Point(at=heard, latitude=newest.latitude, longitude=newest.longitude)
    track, ev = alerts.observe(
        track, False, here, observers.rule(AlertKind.OFFLINE, ctx.config), state.vehicle_id
    )
    out += ev
    return observers.with_track(state, AlertKind.OFFLINE.value, track)


def _bumped(state: VehicleAnalysis) -> VehicleAnalysis:
    return state.model_copy(update={"revision": state.revision + 1})


def _run_until(
    state: VehicleAnalysis, until: datetime, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    """Analyse the buffered fixes up to `until` in device-time order; `until` becomes the watermark."""
    if state.watermark is not None and until <= state.watermark:
        return state
    released = [s for s in state.buffer if s.at <= until]
    if not released:
        return state
    state = state.model_copy(update={"buffer": tuple(s for s in state.buffer if s.at > until)})
    for sample in released:
        state = _elapse(state, sample.at, ctx, out)
        state = _apply(state, sample, ctx, out)
    return state.model_copy(update={"watermark": until})


def _where(state: VehicleAnalysis, at: datetime) -> Point:
    last = state.last_valid or state.last_fix
    if last is None:
        return Point(at=at, latitude=0.0, longitude=0.0)
    return Point(at=at, latitude=last.latitude, longitude=last.longitude)


def _elapse(
    state: VehicleAnalysis, now: datetime, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    """Advance every timer to `now` without a new observation."""
    last_fix = state.last_fix
    if last_fix is None:
        return state
    cfg, vid = ctx.config, state.vehicle_id
    where = _where(state, now)
    trip_state, ev = trips.elapse(state.trips, vid, now, cfg.stop_min_s)
    out += ev
    fences = ctx.fence_by_id
    presence = dict(state.presence)
    for gid, p in state.presence.items():
        if gid in fences:
            presence[gid], ev = geofences.elapse(p, fences[gid], vid, now, cfg.geofence_dwell_s)
            out += ev
    channels = dict(state.channels)
    for ch, w in state.channels.items():
        channels[ch], ev = excursions.elapse(w, ch, ctx.band(ch), where, vid, cfg.excursion_grace_s)
        out += ev
    state = state.model_copy(update={"trips": trip_state, "presence": presence, "channels": channels})
    tracks = dict(state.alerts)
    for key, track in state.alerts.items():
        if track.kind is not AlertKind.OFFLINE:  # runs on the receipt clock, see `tick`
            tracks[key], ev = alerts.elapse(track, where, observers.rule(track.kind, cfg), vid)
            out += ev
    state = state.model_copy(update={"alerts": tracks})
    return observers.observe_load(state, where, ctx, out)


def _apply(
    state: VehicleAnalysis, sample: Sample, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    """Analyse one fix, in device-time order, after the timers were advanced to its time."""
    cfg, vid = ctx.config, state.vehicle_id
    here = Point(at=sample.at, latitude=sample.latitude, longitude=sample.longitude)
    state = observers.observe_temperatures(state, sample, here, ctx, out)
    updates: dict[str, object] = {"last_fix": sample}
    if sample.gps_valid:
        moving = is_moving(sample, state.last_valid, cfg.moving_speed_kmh)
        if moving is not None:
            trip_state, ev = trips.observe(state.trips, vid, sample, moving, state.last_valid, cfg.stop_min_s)
            out += ev
            state = state.model_copy(
                update={"trips": trip_state, "motion": classify(moving, sample.ignition)}
            )
        state = observers.observe_geofences(state, here, ctx, out)
        speed = speed_of(sample, state.last_valid)
        slow = (
            ctx.load is not None
            and sample.at >= ctx.load.loaded_since  # a buffered fix from before the pick-up
            and speed is not None
            and speed < cfg.slow_speed_kmh
            and not any(p.inside and p.site_id for p in state.presence.values())
        )
        state = observers.observe_alert(state, AlertKind.SLOW_OR_STUCK, "", slow, here, ctx, out)
        updates["last_valid"] = here
    state = state.model_copy(update=updates)
    return observers.observe_load(state, here, ctx, out)
