"""The gateway's own copy of every vehicle's latest published state.

`GET /v1/vehicles/{id}/state` is the hottest read of the API (dashboards poll it). Each
gateway replica reads the compacted `tracking.vehicle-state.v1` from its beginning at
start (no consumer group) and keeps the newest state per vehicle in memory, so that read
is a dictionary lookup instead of a hop to tracking and Redis. A vehicle not (yet) in the
copy is asked of tracking, so a replica that is still catching up answers correctly, only
slower. The copy is exactly what tracking published, including its offline sweeps.
"""

from __future__ import annotations

import json
from datetime import datetime

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Gauge

from coldchain_contracts.topics import VEHICLE_STATE
from coldchain_servicekit.kafka import Record, records_of

CACHED = Gauge("gateway_cached_vehicle_states", "Vehicles whose latest state this replica holds")


class LiveStates:
    def __init__(self) -> None:
        self._states: dict[str, tuple[datetime, bytes]] = {}

    def get(self, vehicle_id: str) -> bytes | None:
        found = self._states.get(vehicle_id)
        return found[1] if found else None

    def apply(self, records: list[Record]) -> None:
        for record in records:
            if record.value is None:
                if record.key is not None:  # compaction tombstone: the vehicle is gone
                    self._states.pop(record.key.decode(), None)
                continue
            try:
                body = json.loads(record.value)
                vehicle, at = body["vehicle_id"], datetime.fromisoformat(body["device_time"])
            except (ValueError, KeyError, TypeError):
                continue  # not a state: tracking's own consumers dead-letter it
            current = self._states.get(vehicle)
            if current is None or current[0] <= at:
                self._states[vehicle] = (at, record.value)
        CACHED.set(len(self._states))

    def __len__(self) -> int:
        return len(self._states)


def register(broker: KafkaBroker, states: LiveStates, poll_timeout_ms: int) -> None:
    @broker.subscriber(
        VEHICLE_STATE.name,
        batch=True,
        max_records=5000,
        batch_timeout_ms=poll_timeout_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,  # no group, nothing to commit: every start replays the compacted topic
    )
    async def on_states(msg: KafkaMessage) -> None:
        states.apply(records_of(msg.raw_message))
