"""Kafka adapter: clean fixes in, history + live state + state events out.

Order of effects per batch, each idempotent so a redelivery after a crash at any
point converges: (1) history rows (upsert), (2) Redis state (compare-and-set on
device time), (3) publish the states that advanced, and again those already stored at
exactly that device time (their publish may be what failed), (4) commit offsets.
"""

from __future__ import annotations

import structlog
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts import FixAccepted
from coldchain_contracts.topics import TELEMETRY_GPS, VEHICLE_STATE
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import (
    DeadLetters,
    Delivered,
    Outgoing,
    batch_subscriber_options,
    process_batch,
    publish_all,
    records_of,
    retry_policy,
)
from coldchain_tracking.domain import latest_per_vehicle, state_from_fix
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

FIXES_STORED = Counter("tracking_fixes_stored_total", "New history rows")
FIXES_DUPLICATE = Counter("tracking_fixes_duplicate_total", "Fixes already in history")
STATES_ADVANCED = Counter("tracking_states_advanced_total", "Live states moved forward")

log = structlog.get_logger(__name__)
_FIX = TypeAdapter(FixAccepted)


def register(
    broker: KafkaBroker,
    settings: TrackingSettings,
    history: PositionHistory,
    live: LiveStateStore,
) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)

    async def apply(batch: list[Delivered[FixAccepted]]) -> None:
        fixes = [d.message for d in batch]
        traces = {d.message.event_id: d.header(tracecontext.HEADER) for d in batch}
        stored = await history.append(fixes)
        FIXES_STORED.inc(stored)
        FIXES_DUPLICATE.inc(len(fixes) - stored)
        candidates = [
            state_from_fix(f, settings.moving_speed_kmh) for f in latest_per_vehicle(fixes).values()
        ]
        outcome = await live.advance(candidates)
        STATES_ADVANCED.inc(len(outcome.advanced))
        await publish_all(
            broker,
            [
                # The state continues the trace of the fix that caused it.
                Outgoing.event(
                    VEHICLE_STATE.name,
                    s.vehicle_id,
                    s,
                    traces.get(s.causation_id) if s.causation_id else None,
                )
                for s in outcome.to_publish
            ],
        )
        log.debug("batch applied", fixes=len(fixes), new=stored, advanced=len(outcome.advanced))

    @broker.subscriber(TELEMETRY_GPS.name, **batch_subscriber_options(settings))
    async def on_fixes(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _FIX, apply, dead_letters, retry)
