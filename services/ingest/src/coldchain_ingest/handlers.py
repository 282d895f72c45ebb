"""Kafka adapters: raw fixes in, accepted or rejected fixes out; vehicle records in.

A raw batch is committed only after every output publish was acknowledged by
Kafka, so a crash redelivers the batch; downstream history is idempotent on
(vehicle, device time), so a replay duplicates nothing that matters.

The vehicle projection is read by every replica in full (a consumer group of its own
per process): raw fixes are spread over the replicas, so each needs every binding.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts import FixAccepted, FixRejected, RawFixReceived, VehicleRegistered, utcnow
from coldchain_contracts.topics import FLEET_VEHICLES, TELEMETRY_GPS, TELEMETRY_RAW, TELEMETRY_REJECTED
from coldchain_ingest.domain import QualityRules, normalise
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
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.tracecontext import child_of

ACCEPTED = Counter("ingest_fixes_accepted_total", "Fixes published as clean")
REJECTED = Counter("ingest_fixes_rejected_total", "Fixes rejected", ["reason"])


class BindingStore(Protocol):
    @property
    def cache(self) -> Mapping[str, str]: ...

    async def apply_vehicle(self, vehicle_id: str, device_ids: Sequence[str], at: datetime) -> None: ...


_RAW = TypeAdapter(RawFixReceived)
_VEHICLE = TypeAdapter(VehicleRegistered)


def register(
    broker: KafkaBroker,
    settings: ServiceSettings,
    rules: QualityRules,
    bindings: BindingStore,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)

    def outgoing(out: FixAccepted | FixRejected, traceparent: str | None) -> Outgoing:
        if isinstance(out, FixAccepted):
            ACCEPTED.inc()
            topic, key = TELEMETRY_GPS.name, out.vehicle_id
        else:
            REJECTED.labels(out.reason.value).inc()
            topic, key = TELEMETRY_REJECTED.name, out.device_id
        headers = {
            "event_type": out.event_type,
            "event_id": str(out.event_id),
            tracecontext.HEADER: child_of(traceparent),
        }
        return Outgoing(topic=topic, key=key, value=out.model_dump_json().encode(), headers=headers)

    async def on_raw_batch(batch: list[Delivered[RawFixReceived]]) -> None:
        now = clock()
        await publish_all(
            broker,
            [
                outgoing(normalise(d.message, bindings.cache, now, rules), d.header(tracecontext.HEADER))
                for d in batch
            ],
        )

    async def on_vehicle_batch(batch: list[Delivered[VehicleRegistered]]) -> None:
        for item in batch:
            v = item.message
            await bindings.apply_vehicle(v.vehicle_id, v.device_ids if v.active else (), v.occurred_at)

    options = batch_subscriber_options(settings)
    projection_options = {**options, "group_id": f"{settings.service_name}.bindings.{uuid.uuid4().hex[:12]}"}

    @broker.subscriber(TELEMETRY_RAW.name, **options)
    async def on_raw(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _RAW, on_raw_batch, dead_letters, retry)

    @broker.subscriber(FLEET_VEHICLES.name, **projection_options)
    async def on_vehicles(msg: KafkaMessage) -> None:
        # In record order, one at a time: a tombstone (null value) deletes the vehicle,
        # and must not overtake an earlier record of the same key.
        for record in records_of(msg.raw_message):
            if record.value is None and record.key is not None:
                await bindings.apply_vehicle(record.key.decode(), (), clock())
            else:
                await process_batch([record], _VEHICLE, on_vehicle_batch, dead_letters, retry)
