"""Kafka adapter: `tracking.events.v1` into the trips/stops/excursions/alerts tables.

Its own consumer group (`<service>.history`), so the projection keeps its own offsets
and falls behind or replays without touching the fix pipeline. A record that is not a
tracking event goes to `tracking.events.v1.<service>.dlq`; a database outage is
retried with backoff like every consumer (servicekit.kafka.process_batch).
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts.topics import TRACKING_EVENTS
from coldchain_contracts.tracking_events import AnyTrackingEvent, TrackingEvent
from coldchain_servicekit.kafka import (
    DeadLetters,
    Delivered,
    batch_subscriber_options,
    process_batch,
    records_of,
    retry_policy,
)
from coldchain_tracking.periods import PeriodStore
from coldchain_tracking.settings import TrackingSettings

EVENTS_PROJECTED = Counter("tracking_events_projected_total", "Tracking events projected into history")
_EVENT: TypeAdapter[TrackingEvent] = TypeAdapter(AnyTrackingEvent)


def register(broker: KafkaBroker, settings: TrackingSettings, store: PeriodStore) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)
    options = {**batch_subscriber_options(settings), "group_id": f"{settings.service_name}.history"}

    async def apply(batch: list[Delivered[TrackingEvent]]) -> None:
        EVENTS_PROJECTED.inc(await store.apply([d.message for d in batch]))

    @broker.subscriber(TRACKING_EVENTS.name, **options)
    async def on_events(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _EVENT, apply, dead_letters, retry)
