"""Per-fix observers of one vehicle's analysis: temperatures, geofences, load, alerts.

Each takes the state, the fix's point and the context, appends the events it finds to
`out`, and returns the next state; `vehicle.py` calls them in device-time order.
"""

from __future__ import annotations

from datetime import datetime

from coldchain_contracts import AlertKind, ChannelState
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_tracking.analysis import alerts, excursions, geofences
from coldchain_tracking.analysis.alerts import AlertTrack
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.excursions import ChannelWatch
from coldchain_tracking.analysis.geofences import Presence
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.state import VehicleAnalysis


def with_track(state: VehicleAnalysis, name: str, track: AlertTrack | None) -> VehicleAnalysis:
    tracks = dict(state.alerts)
    if track is None or (track.alert is None and track.holds_since is None):
        tracks.pop(name, None)
    else:
        tracks[name] = track
    return state.model_copy(update={"alerts": tracks})


def observe_temperatures(
    state: VehicleAnalysis, sample: Sample, here: Point, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    cfg, vid = ctx.config, state.vehicle_id
    readings = {r.channel: r for r in sample.temperatures}
    watched = {c.channel for c in ctx.compartments} | set(state.channels)
    watched |= {ch for ch, r in readings.items() if r.state is not ChannelState.UNUSED}
    channels = dict(state.channels)
    for ch in sorted(watched):
        reading = readings.get(ch)
        channels[ch], ev = excursions.observe(
            channels.get(ch) or ChannelWatch(),
            ch,
            ctx.band(ch),
            reading,
            bool(sample.defrost),
            here,
            vid,
            cfg.excursion_grace_s,
            cfg.excursion_hysteresis_c,
        )
        out += ev
        if reading is not None and reading.state is not ChannelState.UNUSED:
            disconnected = reading.state is ChannelState.PROBE_DISCONNECTED
            state = observe_alert(state, AlertKind.PROBE_DISCONNECTED, ch, disconnected, here, ctx, out)
    return state.model_copy(update={"channels": channels})


def observe_geofences(
    state: VehicleAnalysis, here: Point, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    cfg, vid = ctx.config, state.vehicle_id
    presence: dict[str, Presence] = {}
    fences = {f.geofence_id: f for f in ctx.fence_index.near(here.latitude, here.longitude)}
    # Fences the vehicle is in (or about to change for) are always observed, even if far.
    fences.update({gid: ctx.fence_by_id[gid] for gid in state.presence if gid in ctx.fence_by_id})
    for fence in sorted(fences.values(), key=lambda f: f.geofence_id):
        current = state.presence.get(fence.geofence_id)
        if current is None and fence.surely_outside(here.latitude, here.longitude):
            continue  # the common case: near a fence's cell, not in it
        p, ev = geofences.observe(
            current or Presence(),
            fence,
            vid,
            here,
            cfg.geofence_dwell_s,
            cfg.geofence_exit_margin_m,
        )
        out += ev
        if p.inside or p.changing_since is not None:
            presence[fence.geofence_id] = p
    for gid, p in state.presence.items():
        if gid not in presence and p.inside and gid not in ctx.fence_by_id:
            # The geofence was removed (site deactivated) while the vehicle was inside: close the visit.
            out.append(geofences.exited(p, gid, p.site_id, vid, here))
    return state.model_copy(update={"presence": presence})


def observe_load(
    state: VehicleAnalysis, where: Point, ctx: AnalysisContext, out: list[TrackingEvent]
) -> VehicleAnalysis:
    load = ctx.load
    key = AlertKind.LOADED_TOO_LONG.value
    if load is None and key not in state.alerts:
        return state
    arrived = load is not None and any(
        p.inside
        and p.site_id is not None
        and (load.destination_site_id in (None, p.site_id))
        and p.entered_at is not None
        and p.entered_at >= load.loaded_since
        for p in state.presence.values()
    )
    holds = load is not None and not arrived
    since = load.loaded_since if load is not None else None
    return observe_alert(state, AlertKind.LOADED_TOO_LONG, "", holds, where, ctx, out, since=since)


def observe_alert(
    state: VehicleAnalysis,
    kind: AlertKind,
    key: str,
    holds: bool,
    where: Point,
    ctx: AnalysisContext,
    out: list[TrackingEvent],
    since: datetime | None = None,
) -> VehicleAnalysis:
    name = f"{kind.value}:{key}" if key else kind.value
    track = state.alerts.get(name)
    if track is None and not holds:
        return state
    detail = f"channel {key}" if key else ""
    track, ev = alerts.observe(
        track or AlertTrack(kind=kind, key=key),
        holds,
        where,
        rule(kind, ctx.config),
        state.vehicle_id,
        detail=detail,
        since=since,
    )
    out += ev
    return with_track(state, name, track)


def rule(kind: AlertKind, cfg: AnalysisConfig) -> alerts.AlertRule:
    open_after = {
        AlertKind.PROBE_DISCONNECTED: cfg.probe_disconnected_after_s,
        AlertKind.SLOW_OR_STUCK: cfg.slow_after_s,
        AlertKind.LOADED_TOO_LONG: cfg.loaded_max_s,
        AlertKind.OFFLINE: cfg.offline_after_s,
    }[kind]
    return alerts.AlertRule(open_after_s=open_after, dedup_s=cfg.alert_dedup_s)
