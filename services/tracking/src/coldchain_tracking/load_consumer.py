"""Kafka adapter: `orders.events.v1` into the orders-on-board projection (`load_store`).

Its own consumer group (`<service>.loads`), so it keeps its own offsets apart from the
fix pipeline. A record that is not an order event goes to
`orders.events.v1.<service>.dlq`; a database outage is retried with backoff like every
consumer (servicekit's consumer kit). Offsets are committed after the rows are.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts.orders import AnyOrderEvent, OrderEvent
from coldchain_contracts.topics import ORDERS_EVENTS
from coldchain_servicekit.consumers import Consumers, Delivered
from coldchain_tracking.load_store import LoadStore
from coldchain_tracking.settings import TrackingSettings

ORDER_EVENTS_APPLIED = Counter("tracking_order_events_applied_total", "Order events that changed a load row")
_EVENT: TypeAdapter[OrderEvent] = TypeAdapter(AnyOrderEvent)


def register(broker: KafkaBroker, settings: TrackingSettings, store: LoadStore) -> None:

    async def apply(batch: list[Delivered[OrderEvent]]) -> None:
        ORDER_EVENTS_APPLIED.inc(await store.apply([d.message for d in batch]))

    Consumers(broker, settings).subscribe(ORDERS_EVENTS.name, _EVENT, apply, group="loads")
