"""Live state enriched with the analysis: current trip and stop, compartments, open alerts."""

from __future__ import annotations

from coldchain_contracts import ActiveAlert, CompartmentStatus, Motion, VehicleStateChanged
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.excursions import ChannelWatch
from coldchain_tracking.analysis.state import VehicleAnalysis


def enriched(
    base: VehicleStateChanged, analysis: VehicleAnalysis, ctx: AnalysisContext
) -> VehicleStateChanged:
    """`base` (the newest fix's state) with what the analysis knows up to its watermark.

    Motion is the newest fix's own unless that fix had no valid position (then the last
    analysed valid fix's), and `offline` while the offline alert is open.
    """
    motion = base.motion
    if not base.gps_valid and analysis.motion is not None:
        motion = analysis.motion
    if analysis.offline:
        motion = Motion.OFFLINE
    trip, stop = analysis.trips.trip, analysis.trips.stop
    channels = sorted({c.channel for c in ctx.compartments} | set(analysis.channels))
    return base.model_copy(
        update={
            "motion": motion,
            "trip_id": trip.trip_id if trip else None,
            "trip_started_at": trip.started_at if trip else None,
            "trip_distance_km": round(trip.distance_km, 3) if trip else None,
            "stop_id": stop.stop_id if stop else None,
            "stop_started_at": stop.started_at if stop else None,
            "compartments": tuple(_compartment(ch, analysis.channels.get(ch), ctx) for ch in channels),
            "alerts": tuple(
                ActiveAlert(
                    alert_id=t.alert.alert_id, kind=t.kind, opened_at=t.alert.opened_at, detail=t.alert.detail
                )
                for t in analysis.alerts.values()
                if t.alert is not None
            ),
            "geofence_ids": tuple(sorted(g for g, p in analysis.presence.items() if p.inside)),
            "analysed_until": analysis.watermark,
        }
    )


def _compartment(channel: str, watch: ChannelWatch | None, ctx: AnalysisContext) -> CompartmentStatus:
    band = ctx.band(channel)
    watch = watch or ChannelWatch()
    return CompartmentStatus(
        channel=channel,
        zone=band.zone if band else None,
        band_low_celsius=band.low if band else None,
        band_high_celsius=band.high if band else None,
        celsius=watch.last_celsius,
        condition=watch.condition(band),
        excursion_id=watch.excursion.excursion_id if watch.excursion else None,
    )


def same_content(a: VehicleStateChanged, b: VehicleStateChanged) -> bool:
    """Equal but for the envelope (id, time): nothing new to publish."""
    envelope = {"event_id", "occurred_at", "causation_id", "correlation_id"}
    return a.model_dump(exclude=envelope) == b.model_dump(exclude=envelope)
