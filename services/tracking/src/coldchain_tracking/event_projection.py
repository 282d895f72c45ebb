"""Kafka adapter: `tracking.events.v1` into the trips/stops/excursions/alerts tables.

Its own consumer group (`<service>.history`), so the projection keeps its own offsets
and falls behind or replays without touching the fix pipeline. A record that is not a
tracking event goes to `tracking.events.v1.<service>.dlq`; a database outage is
retried with backoff like every consumer (servicekit's consumer kit).
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts.topics import TRACKING_EVENTS
from coldchain_contracts.tracking_events import AnyTrackingEvent, TrackingEvent
from coldchain_servicekit.consumers import Consumers, Delivered
from coldchain_tracking.periods import PeriodStore
from coldchain_tracking.settings import TrackingSettings

EVENTS_PROJECTED = Counter("tracking_events_projected_total", "Tracking events projected into history")
_EVENT: TypeAdapter[TrackingEvent] = TypeAdapter(AnyTrackingEvent)


def register(broker: KafkaBroker, settings: TrackingSettings, store: PeriodStore) -> None:

    async def apply(batch: list[Delivered[TrackingEvent]]) -> None:
        EVENTS_PROJECTED.inc(await store.apply([d.message for d in batch]))

    Consumers(broker, settings).subscribe(TRACKING_EVENTS.name, _EVENT, apply, group="history")
