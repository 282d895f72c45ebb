"""Rebuild tracking's Redis state from what is durable: PostgreSQL history and the fleet topics.

Redis holds, per vehicle, the live state, the analysis state (current trip, stop, geofence
presence, compartment watches, open alerts) and an event outbox, plus the projections of
`fleet.sites.v1` (geofences) and `fleet.vehicles.v1` (compartments). All of it is derived:

1. geofences and compartments: both topics are compacted, so reading them from the first
   offset to the current end and applying every record in order gives the latest value per
   key (their consumer groups keep their committed offsets, so they would not re-read);
2. per vehicle with history: its fixes of the last `window` before its newest fix are
   replayed through the same pure analysis the consumer runs (`analysis.vehicle.advance`,
   with a clock tick wherever receipt times leave a gap, as the offline sweeper would have),
   and the live state is the newest fix enriched with that analysis, as the consumer
   builds it. Ids are deterministic, so trips, stops and alerts that began inside the window
   come back with the ids they had. Nothing is published: those events went out when the
   fixes were first analysed, and consumers (the live feed among them) must not see them twice.

Each vehicle is committed with compare-and-set on revision 0, so a vehicle a running
consumer already wrote since Redis came back keeps the consumer's state. A marker key
says the state was initialised; a tracking replica that finds it missing at start (or
later, on its reference refresh) rebuilds under a PostgreSQL advisory lock, so replicas
starting together rebuild once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted, utcnow
from coldchain_contracts.topics import FLEET_SITES, FLEET_VEHICLES
from coldchain_servicekit.runtime import Runtime
from coldchain_servicekit.transport_security import kafka_client_options
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.live import enriched
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance, tick
from coldchain_tracking.analysis_runner import AnalysisRunner, LoadsOnBoard
from coldchain_tracking.analysis_store import AnalysisStore, Commit
from coldchain_tracking.domain import state_from_fix
from coldchain_tracking.handlers import site_or_tombstone, vehicle_or_tombstone
from coldchain_tracking.reference import ReferenceData
from coldchain_tracking.repository import COLUMNS
from coldchain_tracking.settings import TrackingSettings

log = structlog.get_logger(__name__)
MARKER_KEY = "tracking:live-state-initialised"
_LOCK = 0x7472_6B72  # "trkr": one rebuild at a time across replicas
# Loose index scan: one index probe per vehicle instead of reading the whole history.
_VEHICLES = text(
    "WITH RECURSIVE v AS (SELECT min(vehicle_id) AS id FROM tracking.positions"
    " UNION ALL SELECT (SELECT min(vehicle_id) FROM tracking.positions WHERE vehicle_id > v.id)"
    " FROM v WHERE v.id IS NOT NULL) SELECT id FROM v WHERE id IS NOT NULL"
)
_WINDOW = text(
    f"SELECT {', '.join(COLUMNS)} FROM tracking.positions WHERE vehicle_id = :vid AND device_time >="
    " (SELECT max(device_time) FROM tracking.positions WHERE vehicle_id = :vid) - make_interval(secs => :window_s)"
    " ORDER BY device_time"
)


@dataclass(frozen=True)
class Rebuilt:
    sites: int
    vehicles_registered: int
    vehicles: int
    kept: int
    """Vehicles a running consumer had already written (left as they were)."""
    fixes_replayed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "sites": self.sites,
            "vehicles_registered": self.vehicles_registered,
            "vehicles": self.vehicles,
            "kept": self.kept,
            "fixes_replayed": self.fixes_replayed,
        }


def replay(
    vehicle_id: str, fixes: Sequence[FixAccepted], runner: AnalysisRunner, config: AnalysisConfig
) -> VehicleAnalysis:
    """The analysis state after `fixes` (device-time order), ticking at receipt gaps (pure)."""
    ctx = runner.context(vehicle_id)
    state = VehicleAnalysis(vehicle_id=vehicle_id)
    run: list[Sample] = []
    last_heard: datetime | None = None
    for fix in fixes:
        heard = fix.received_at
        if run and last_heard is not None and (heard - last_heard).total_seconds() >= config.flush_after_s:
            state = advance(state, run, ctx).state
            state = tick(state, heard, ctx).state  # what the sweeper did in that quiet spell
            run = []
        run.append(Sample.of(fix))
        last_heard = heard if last_heard is None else max(last_heard, heard)
    if run:
        state = advance(state, run, ctx).state
    return tick(state, utcnow(), ctx).state


def _fix(row: dict[str, Any]) -> FixAccepted:
    row = {k: v for k, v in row.items() if v is not None}
    row.setdefault("source", "history")
    return FixAccepted.model_validate(row)


async def reload_reference(
    bootstrap: str, reference: ReferenceData, kafka_options: dict[str, Any] | None = None
) -> tuple[int, int]:
    """Apply every record of the compacted fleet topics, first offset to end (sites, vehicles).
    `kafka_options`: the service's TLS/SASL client settings (`kafka_client_options`)."""
    counts = []
    for topic, decoder, apply in (
        (FLEET_SITES.name, site_or_tombstone, reference.apply_site),
        (FLEET_VEHICLES.name, vehicle_or_tombstone, reference.apply_vehicle),
    ):
        # Subscribed (no group) only to load the topic's metadata, then assigned by hand.
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, enable_auto_commit=False, **(kafka_options or {})
        )
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.unsubscribe()
            if not parts:
                counts.append(0)
                continue
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends: dict[TopicPartition, int] = await consumer.end_offsets(parts)
            applied = 0
            while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
                batch = await consumer.getmany(*parts, timeout_ms=1000)
                for records in batch.values():
                    for record in records:
                        if record.offset < ends[TopicPartition(record.topic, record.partition)]:
                            await apply(decoder(record))  # type: ignore[arg-type]
                            applied += 1
            counts.append(applied)
        finally:
            await consumer.stop()
    return counts[0], counts[1]


@dataclass
class LiveStateRebuilder:
    engine: AsyncEngine
    redis: Redis
    bootstrap: str
    reference: ReferenceData
    runner: AnalysisRunner
    store: AnalysisStore
    config: AnalysisConfig
    window: timedelta
    kafka_options: dict[str, Any] = field(default_factory=dict)

    async def rebuild(self) -> Rebuilt:
        """Reference data from the topics, then every vehicle from its history; sets the marker."""
        sites, registered = await reload_reference(self.bootstrap, self.reference, self.kafka_options)
        async with self.engine.connect() as conn:
            vehicle_ids = [r[0] for r in await conn.execute(_VEHICLES)]
        vehicles = kept = replayed = 0
        for vid in vehicle_ids:
            async with self.engine.connect() as conn:
                rows = [
                    dict(r._mapping)
                    for r in await conn.execute(
                        _WINDOW, {"vid": vid, "window_s": self.window.total_seconds()}
                    )
                ]
            fixes = [_fix(r) for r in rows]
            if not fixes:
                continue
            # A revision no writer has held (ms since the epoch, above any counter): a replica's
            # memory of the revision it last saw can never be taken for this state.
            analysis = replay(vid, fixes, self.runner, self.config)
            analysis = analysis.model_copy(update={"revision": int(utcnow().timestamp() * 1000)})
            live = enriched(
                state_from_fix(fixes[-1], self.config.moving_speed_kmh), analysis, self.runner.context(vid)
            )
            (stored,) = await self.store.commit([Commit(0, analysis, live, (), False)])
            vehicles += stored
            kept += not stored
            replayed += len(fixes)
        await self.redis.set(MARKER_KEY, utcnow().isoformat())
        result = Rebuilt(sites, registered, vehicles, kept, replayed)
        log.info("live state rebuilt", **result.as_dict())
        return result

    @classmethod
    def of(
        cls, settings: TrackingSettings, runtime: Runtime, reference: ReferenceData, loads: LoadsOnBoard
    ) -> LiveStateRebuilder:
        assert runtime.redis is not None
        config = settings.analysis_config()
        store = AnalysisStore(runtime.redis)
        # The runner only lends its analysis context: nothing is published.
        runner = AnalysisRunner(runtime.broker, store, reference, config, loads=loads)
        window = timedelta(hours=settings.rebuild_window_h)
        return cls(
            runtime.engine,
            runtime.redis,
            settings.kafka_bootstrap_servers,
            reference,
            runner,
            store,
            config,
            window,
            kafka_client_options(settings),
        )

    async def ensure(self) -> Rebuilt | None:
        """Rebuild if Redis has lost tracking's state (no marker); one replica at a time."""
        if await self.redis.exists(MARKER_KEY):
            return None
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK})
            try:
                if await self.redis.exists(MARKER_KEY):  # another replica rebuilt meanwhile
                    return None
                log.warning("tracking state missing from Redis: rebuilding it")
                return await self.rebuild()
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK})
