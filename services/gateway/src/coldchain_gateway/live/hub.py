"""In-process fan-out from the Kafka reader to connected clients, with backpressure.

Every client has a bounded queue. Publishing never waits: a client whose queue is
full is marked overflowed and its connection is closed by its own sender task, so
one slow browser can neither grow the gateway's memory nor delay anyone else.
The hub also counts connections per principal (the cap is per replica) and can ask
every client to re-check its credentials at once (after a revocation here).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter as Tally
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
    subject: str = ""
    subscription: Subscribe | None = None
    id: int = field(default_factory=lambda: next(_ids))
    queue: asyncio.Queue[LiveItem] = field(init=False)
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    recheck: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a credential was revoked through this replica: re-authenticate now."""

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
        self._per_subject: Tally[str] = Tally()

    def connect(
        self, queue_max: int, subject: str = "", max_per_subject: int | None = None
    ) -> LiveClient | None:
        """None when `subject` already holds `max_per_subject` connections here."""
        if max_per_subject is not None and self._per_subject[subject] >= max_per_subject:
            return None
        client = LiveClient(queue_max=queue_max, subject=subject)
        self._clients.add(client)
        self._per_subject[subject] += 1
        CLIENTS.set(len(self._clients))
        return client

    def disconnect(self, client: LiveClient) -> None:
        if client in self._clients:
            self._clients.discard(client)
            self._per_subject[client.subject] -= 1
            if self._per_subject[client.subject] <= 0:
                del self._per_subject[client.subject]
        CLIENTS.set(len(self._clients))

    def connections_of(self, subject: str) -> int:
        return self._per_subject[subject]

    def recheck_all(self) -> None:
        for client in self._clients:
            client.recheck.set()

    def publish(self, item: LiveItem) -> None:
        for client in tuple(self._clients):
            client.offer(item)

    def __len__(self) -> int:
        return len(self._clients)
