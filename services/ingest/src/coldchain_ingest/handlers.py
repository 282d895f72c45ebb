"""Kafka adapters: raw fixes in, accepted or rejected fixes out; vehicle records in.

A raw batch is committed only after every output publish was acknowledged by
Kafka, so a crash redelivers the batch; downstream history is idempotent on
(vehicle, device time), so a replay duplicates nothing that matters.

Device bindings are a projection of `fleet.vehicles.v1`, written to `ingest.device_bindings`
by the one replica that owns each partition (stable group `ingest.bindings`); every
replica reads the whole table into memory and refreshes it every few seconds, since
any replica may receive any device's fixes. A tombstone deletes the vehicle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter

from coldchain_contracts import FixAccepted, FixRejected, RawFixReceived, VehicleRegistered, utcnow
from coldchain_contracts.topics import FLEET_VEHICLES, TELEMETRY_GPS, TELEMETRY_RAW, TELEMETRY_REJECTED
from coldchain_ingest.domain import QualityRules, normalise
from coldchain_ingest.fix_memory import FixMemory
from coldchain_servicekit import tracecontext
from coldchain_servicekit.consumers import Consumers, Delivered, tombstone_aware
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.settings import ServiceSettings

ACCEPTED = Counter("ingest_fixes_accepted_total", "Fixes published as clean")
REJECTED = Counter("ingest_fixes_rejected_total", "Fixes rejected", ["reason"])


class BindingStore(Protocol):
    @property
    def cache(self) -> Mapping[str, str]: ...

    async def apply_vehicle(self, vehicle_id: str, device_ids: Sequence[str], at: datetime) -> None: ...


_RAW = TypeAdapter(RawFixReceived)
_VEHICLE = TypeAdapter(VehicleRegistered)
# A tombstone (null value) reads as the vehicle gone (inactive).
vehicle_or_tombstone = tombstone_aware(_VEHICLE, VehicleRegistered.removed)


def register(
    broker: KafkaBroker,
    settings: ServiceSettings,
    rules: QualityRules,
    bindings: BindingStore,
    clock: Callable[[], datetime] = utcnow,
    memory: FixMemory | None = None,
) -> None:
    memory = memory or FixMemory()
    consumers = Consumers(broker, settings)

    def outgoing(out: FixAccepted | FixRejected, traceparent: str | None) -> Outgoing:
        if isinstance(out, FixAccepted):
            ACCEPTED.inc()
            topic, key = TELEMETRY_GPS.name, out.vehicle_id
        else:
            REJECTED.labels(out.reason.value).inc()
            topic, key = TELEMETRY_REJECTED.name, out.device_id
        return Outgoing.event(topic, key, out, traceparent)

    async def on_raw_batch(batch: list[Delivered[RawFixReceived]]) -> None:
        now = clock()
        overlay = memory.overlay()
        await publish_all(
            broker,
            [
                outgoing(
                    normalise(d.message, bindings.cache, now, rules, overlay), d.header(tracecontext.HEADER)
                )
                for d in batch
            ],
        )
        # Only now: a batch that failed to publish is redelivered and must be judged afresh.
        memory.commit(overlay)

    async def on_vehicle_batch(batch: list[Delivered[VehicleRegistered]]) -> None:
        for item in batch:
            v = item.message
            await bindings.apply_vehicle(v.vehicle_id, v.device_ids if v.active else (), v.occurred_at)

    consumers.subscribe(TELEMETRY_RAW.name, _RAW, on_raw_batch)
    consumers.subscribe(FLEET_VEHICLES.name, vehicle_or_tombstone, on_vehicle_batch, group="bindings")
