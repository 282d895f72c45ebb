"""Composition root of the tracking service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from coldchain_servicekit.periodic import Periodic
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app
from coldchain_tracking import (
    api,
    assignment_consumer,
    event_projection,
    geofences_api,
    handlers,
    load_consumer,
    record_api,
)
from coldchain_tracking.analysis_runner import AnalysisRunner
from coldchain_tracking.analysis_store import AnalysisStore
from coldchain_tracking.compartment_store import CompartmentStore
from coldchain_tracking.db import SCHEMA
from coldchain_tracking.fleet_gauges import FleetGauges
from coldchain_tracking.kpi_reader import KpiReader
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.load_store import LoadStore
from coldchain_tracking.partitions import PartitionMaintainer, PartitionPolicy
from coldchain_tracking.periods import PeriodStore
from coldchain_tracking.rebuild import LiveStateRebuilder
from coldchain_tracking.record_reader import RecordReader
from coldchain_tracking.reference import ReferenceData
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: TrackingSettings | None = None) -> FastAPI:
    settings = settings or TrackingSettings()
    runtime = Runtime.build(settings, with_redis=True)
    assert runtime.redis is not None
    history = PositionHistory(runtime.engine)
    periods = PeriodStore(runtime.engine)
    live = LiveStateStore(runtime.redis)
    reference = ReferenceData(runtime.redis)
    loads = LoadStore(runtime.engine)
    runner = AnalysisRunner(
        runtime.broker, AnalysisStore(runtime.redis), reference, settings.analysis_config(), loads=loads
    )
    rebuilder = LiveStateRebuilder.of(settings, runtime, reference, loads)
    handlers.register(runtime.broker, settings, history, runner, reference)
    load_consumer.register(runtime.broker, settings, loads)
    compartments = CompartmentStore(runtime.engine)
    assignment_consumer.register(runtime.broker, settings, compartments)
    records = RecordReader(
        runtime.engine,
        history,
        compartments,
        settings.analysis_config(),
        timedelta(seconds=settings.record_interval_s),
    )

    async def load_reference_data() -> None:
        await reference.load()
        await loads.load()
        if settings.rebuild_on_empty:
            # Redis came back empty (no persistence, or a new instance): rebuild from history.
            await rebuilder.ensure()

    # Geofences, compartments and loads are read (and a lost Redis state rebuilt) before the
    # broker starts, so no fix is analysed without them.
    refresh = Periodic("refresh-reference-data", load_reference_data, settings.reference_refresh_s)
    sweeper = Periodic("offline-sweeper", runner.sweep, settings.sweep_every_s)
    event_projection.register(runtime.broker, settings, periods)
    policy = PartitionPolicy(
        behind_days=settings.partitions_behind_days,
        ahead_days=settings.partitions_ahead_days,
        retention_days=settings.history_retention_days,
    )
    # Partitions exist before the first fix is consumed; hourly after that is idempotent
    # and creates the next day's well before midnight.
    maintainer = PartitionMaintainer(runtime.engine, policy)

    async def maintain_partitions() -> None:
        await maintainer.run()

    maintain = Periodic("history-partitions", maintain_partitions, settings.partition_maintenance_s)

    async def purge_finished_loads() -> None:
        await loads.purge(timedelta(days=settings.loads_keep_days))

    purge = Periodic("purge-finished-loads", purge_finished_loads, settings.partition_maintenance_s)

    async def index_live_states() -> None:
        await live.index_existing()

    gauges = Periodic("fleet-gauges", FleetGauges(runtime.engine).refresh, settings.gauges_refresh_s)

    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain tracking",
        on_start=[maintain.start, purge.start, index_live_states, refresh.start, gauges.start],
        # The sweeper publishes, so it starts once the broker has.
        after_broker_start=[sweeper.start],
        on_stop=[sweeper.stop, gauges.stop, refresh.stop, purge.stop, maintain.stop],
    )
    app.state.history = history
    app.state.periods = periods
    app.state.live = live
    app.state.reference = reference
    app.state.loads = loads
    app.state.runner = runner
    app.state.rebuilder = rebuilder
    app.state.records = records
    app.state.kpis = KpiReader(runtime.engine)
    app.include_router(api.router)
    app.include_router(geofences_api.router)
    app.include_router(record_api.router)
    return app
