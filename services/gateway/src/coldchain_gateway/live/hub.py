"""In-process fan-out from the Kafka reader to connected clients, with backpressure.

Every client has a bounded queue. Publishing never waits: a client whose queue is
full is marked overflowed and its connection is closed by its own sender task, so
one slow browser can neither grow the gateway's memory nor delay anyone else.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge

from coldchain_gateway.live.subscription import LiveItem, Subscribe, matches

CLIENTS = Gauge("gateway_live_clients", "Connected live-feed clients")
SENT = Counter("gateway_live_items_queued_total", "Items queued to live-feed clients", ["channel"])
DROPPED = Counter("gateway_live_clients_dropped_total", "Clients dropped for not keeping up")

_ids = itertools.count(1)


@dataclass(eq=False)
class LiveClient:
    queue_max: int
    subscription: Subscribe | None = None
    id: int = field(default_factory=lambda: next(_ids))
    queue: asyncio.Queue[LiveItem] = field(init=False)
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.queue_max)

    def offer(self, item: LiveItem) -> None:
        if self.overflowed.is_set() or self.subscription is None or not matches(self.subscription, item):
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            DROPPED.inc()
            self.overflowed.set()
        else:
            SENT.labels(item.channel.value).inc()


class LiveHub:
    def __init__(self) -> None:
        self._clients: set[LiveClient] = set()

    def connect(self, queue_max: int) -> LiveClient:
        client = LiveClient(queue_max=queue_max)
        self._clients.add(client)
        CLIENTS.set(len(self._clients))
        return client

    def disconnect(self, client: LiveClient) -> None:
        self._clients.discard(client)
        CLIENTS.set(len(self._clients))

    def publish(self, item: LiveItem) -> None:
        for client in tuple(self._clients):
            client.offer(item)

    def __len__(self) -> int:
        return len(self._clients)
