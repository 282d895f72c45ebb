"""Kafka adapter: `dispatch.assignments.v1` into the order → compartment projection.

Its own consumer group (`<service>.assignments`). A record that is not a `RouteAssigned`
goes to `dispatch.assignments.v1.<service>.dlq`; a database outage is retried with
backoff like every consumer (servicekit.kafka.process_batch).
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts import RouteAssigned
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS
from coldchain_servicekit.kafka import (
    DeadLetters,
    Delivered,
    batch_subscriber_options,
    process_batch,
    records_of,
    retry_policy,
)
from coldchain_tracking.compartment_store import CompartmentStore
from coldchain_tracking.settings import TrackingSettings

ROUTES_APPLIED = Counter("tracking_order_compartments_changed_total", "Order compartment rows changed")
_ROUTE: TypeAdapter[RouteAssigned] = TypeAdapter(RouteAssigned)


def register(broker: KafkaBroker, settings: TrackingSettings, store: CompartmentStore) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)
    options = {**batch_subscriber_options(settings), "group_id": f"{settings.service_name}.assignments"}

    async def apply(batch: list[Delivered[RouteAssigned]]) -> None:
        ROUTES_APPLIED.inc(await store.apply([d.message for d in batch]))

    @broker.subscriber(DISPATCH_ASSIGNMENTS.name, **options)
    async def on_routes(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _ROUTE, apply, dead_letters, retry)
