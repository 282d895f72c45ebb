"""Kafka adapter: `dispatch.assignments.v1` into the order → compartment projection.

Its own consumer group (`<service>.assignments`). A record that is not a `RouteAssigned`
goes to `dispatch.assignments.v1.<service>.dlq`; a database outage is retried with
backoff like every consumer (servicekit's consumer kit).
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts import RouteAssigned
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS
from coldchain_servicekit.consumers import Consumers, Delivered
from coldchain_tracking.compartment_store import CompartmentStore
from coldchain_tracking.settings import TrackingSettings

ROUTES_APPLIED = Counter("tracking_order_compartments_changed_total", "Order compartment rows changed")
_ROUTE: TypeAdapter[RouteAssigned] = TypeAdapter(RouteAssigned)


def register(broker: KafkaBroker, settings: TrackingSettings, store: CompartmentStore) -> None:

    async def apply(batch: list[Delivered[RouteAssigned]]) -> None:
        ROUTES_APPLIED.inc(await store.apply([d.message for d in batch]))

    Consumers(broker, settings).subscribe(DISPATCH_ASSIGNMENTS.name, _ROUTE, apply, group="assignments")
