"""Kafka adapters: clean fixes in, history + analysis + live state + events out; reference data in.

Order of effects per fix batch, each idempotent so a redelivery after a crash at any
point converges: (1) history rows (upsert), (2) analysis, live state and event outbox
in Redis (one compare-and-set per vehicle on the analysis revision), (3) publish the
outbox on `tracking.events.v1` and the live states that changed, (4) clear the outbox,
(5) commit offsets. See `analysis_runner` and `analysis_store`.

Sites (`fleet.sites.v1`) become geofences and vehicles (`fleet.vehicles.v1`) give the
compartments: projections kept in Redis under their own consumer groups.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from faststream.kafka import KafkaBroker
from prometheus_client import Counter, Histogram
from pydantic import TypeAdapter

from coldchain_contracts import FixAccepted, SiteUpserted, VehicleRegistered
from coldchain_contracts.topics import FLEET_SITES, FLEET_VEHICLES, TELEMETRY_GPS
from coldchain_servicekit import tracecontext
from coldchain_servicekit.consumers import Consumers, Delivered, tombstone_aware
from coldchain_tracking.analysis_runner import AnalysisRunner
from coldchain_tracking.reference import ReferenceData
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

FIXES_STORED = Counter("tracking_fixes_stored_total", "New history rows")
FIXES_DUPLICATE = Counter("tracking_fixes_duplicate_total", "Fixes already in history")
# Freshness: from the moment the gateway or ingest received a fix to its live state written
# (the FreshnessP99High alert and the freshness SLO, docs/deploy.md).
FRESHNESS_SECONDS = Histogram(
    "tracking_fix_freshness_seconds",
    "Seconds from a fix's received_at to its batch applied to live state",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0),
)

log = structlog.get_logger(__name__)
_FIX = TypeAdapter(FixAccepted)
_SITE = TypeAdapter(SiteUpserted)
_VEHICLE = TypeAdapter(VehicleRegistered)


# A tombstone (null value) reads as the site or vehicle gone (inactive).
site_or_tombstone = tombstone_aware(_SITE, SiteUpserted.removed)
vehicle_or_tombstone = tombstone_aware(_VEHICLE, VehicleRegistered.removed)


def register(
    broker: KafkaBroker,
    settings: TrackingSettings,
    history: PositionHistory,
    runner: AnalysisRunner,
    reference: ReferenceData,
) -> None:
    async def apply(batch: list[Delivered[FixAccepted]]) -> None:
        fixes = [d.message for d in batch]
        stored = await history.append(fixes)
        FIXES_STORED.inc(stored)
        FIXES_DUPLICATE.inc(len(fixes) - stored)
        # What a vehicle's batch publishes continues the trace of its newest fix.
        newest: dict[str, Delivered[FixAccepted]] = {}
        for d in batch:
            current = newest.get(d.message.vehicle_id)
            if current is None or d.message.device_time > current.message.device_time:
                newest[d.message.vehicle_id] = d
        traces = {vid: d.header(tracecontext.HEADER) for vid, d in newest.items()}
        await runner.on_fixes(fixes, traces)
        applied = datetime.now(UTC)
        for fix in fixes:
            FRESHNESS_SECONDS.observe(max(0.0, (applied - fix.received_at).total_seconds()))
        log.debug("batch applied", fixes=len(fixes), new=stored)

    async def apply_sites(batch: list[Delivered[SiteUpserted]]) -> None:
        for d in batch:
            await reference.apply_site(d.message)

    async def apply_vehicles(batch: list[Delivered[VehicleRegistered]]) -> None:
        for d in batch:
            await reference.apply_vehicle(d.message)

    consumers = Consumers(broker, settings)
    consumers.subscribe(TELEMETRY_GPS.name, _FIX, apply)
    consumers.subscribe(FLEET_SITES.name, site_or_tombstone, apply_sites, group="geofences")
    consumers.subscribe(FLEET_VEHICLES.name, vehicle_or_tombstone, apply_vehicles, group="compartments")
