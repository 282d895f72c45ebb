"""The gateway's own copy of every vehicle's latest published state.

`GET /v1/vehicles/{id}/state` is the hottest read of the API (dashboards poll it). Each
gateway replica reads the compacted `tracking.vehicle-state.v1` from its beginning at
start (no consumer group) and keeps the newest state per vehicle in memory, so that read
is a dictionary lookup instead of a hop to tracking and Redis. A vehicle not (yet) in the
copy is asked of tracking, so a replica that is still catching up answers correctly, only
slower. The copy is exactly what tracking published, including its offline sweeps.

The vehicle list (`GET /v1/vehicles`) is answered from the copy only once the replay has
reached the end offsets the topic had when the replica started (`caught_up`): before
that the copy may lack vehicles, and the list goes to tracking.
"""

from __future__ import annotations

import bisect
import json
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Gauge

from coldchain_contracts.topics import VEHICLE_STATE
from coldchain_servicekit.consumers import Record, records_of, undecoded

CACHED = Gauge("gateway_cached_vehicle_states", "Vehicles whose latest state this replica holds")


class LiveStates:
    def __init__(self) -> None:
        self._states: dict[str, tuple[datetime, bytes]] = {}
        self._ids: list[str] = []  # sorted, for pages by vehicle id
        self._targets: dict[int, int] | None = None  # partition -> end offset at start
        self._seen: dict[int, int] = {}  # partition -> next offset after the last applied

    def get(self, vehicle_id: str) -> bytes | None:
        found = self._states.get(vehicle_id)
        return found[1] if found else None

    def page(self, after: str | None, limit: int) -> list[bytes]:
        return self.page_with_cursor(after, limit)[0]

    def page_with_cursor(self, after: str | None, limit: int) -> tuple[list[bytes], str | None]:
        """States of the `limit` vehicles after `after` by id, and the cursor of the next
        page (the last id, when the page is full)."""
        start = bisect.bisect_right(self._ids, after) if after else 0
        ids = self._ids[start : start + limit]
        return [self._states[v][1] for v in ids], ids[-1] if len(ids) == limit else None

    def expect(self, end_offsets: dict[int, int]) -> None:
        self._targets = dict(end_offsets)

    @property
    def caught_up(self) -> bool:
        if self._targets is None:
            return False
        return all(self._seen.get(p, 0) >= end for p, end in self._targets.items())

    def apply(self, records: list[Record]) -> None:
        for record in records:
            self._seen[record.partition] = max(self._seen.get(record.partition, 0), record.offset + 1)
            if record.value is None:
                if record.key is not None:  # compaction tombstone: the vehicle is gone
                    self._forget(record.key.decode())
                continue
            try:
                body = json.loads(record.value)
                vehicle, at = body["vehicle_id"], datetime.fromisoformat(body["device_time"])
            except (ValueError, KeyError, TypeError):
                continue  # not a state: tracking's own consumers dead-letter it
            current = self._states.get(vehicle)
            if current is None:
                bisect.insort(self._ids, vehicle)
            if current is None or current[0] <= at:
                self._states[vehicle] = (at, record.value)
        CACHED.set(len(self._states))

    def _forget(self, vehicle: str) -> None:
        if self._states.pop(vehicle, None) is not None:
            self._ids.pop(bisect.bisect_left(self._ids, vehicle))

    def __len__(self) -> int:
        return len(self._states)


def register(broker: KafkaBroker, states: LiveStates, poll_timeout_ms: int) -> None:
    @broker.subscriber(
        VEHICLE_STATE.name,
        batch=True,
        max_records=500,  # a batch is applied without yielding: bounded so reads are not held up
        batch_timeout_ms=poll_timeout_ms,
        decoder=undecoded,  # handled as raw records
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,  # no group, nothing to commit: every start replays the compacted topic
    )
    async def on_states(msg: KafkaMessage) -> None:
        states.apply(records_of(msg.raw_message))


async def end_offsets(bootstrap: str, **options: Any) -> dict[int, int]:
    """The state topic's end offset per partition now (what `caught_up` waits for).

    `options`: TLS/SASL (`transport_security.kafka_client_options`)."""
    consumer = AIOKafkaConsumer(
        VEHICLE_STATE.name, bootstrap_servers=bootstrap, enable_auto_commit=False, **options
    )
    await consumer.start()  # subscribing loads the topic's metadata
    try:
        partitions = consumer.partitions_for_topic(VEHICLE_STATE.name) or set()
        found = await consumer.end_offsets([TopicPartition(VEHICLE_STATE.name, p) for p in partitions])
        return {tp.partition: offset for tp, offset in found.items()}
    finally:
        await consumer.stop()
