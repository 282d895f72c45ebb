"""Kafka adapters of dispatch: the projections of vehicles, sites and live positions.

Each topic is compacted (or latest-wins) and each projection is an idempotent upsert,
so a redelivered batch converges to the same rows; offsets are committed after the
upsert (servicekit's `process_batch`).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts import SiteUpserted, VehicleRegistered, VehicleStateChanged
from coldchain_contracts.topics import FLEET_SITES, FLEET_VEHICLES, VEHICLE_STATE
from coldchain_dispatch.projections import Projections
from coldchain_servicekit.kafka import (
    DeadLetters,
    Delivered,
    Record,
    batch_subscriber_options,
    process_batch,
    records_of,
    retry_policy,
)
from coldchain_servicekit.settings import ServiceSettings

_VEHICLE = TypeAdapter(VehicleRegistered)
_SITE = TypeAdapter(SiteUpserted)
_STATE = TypeAdapter(VehicleStateChanged)


def vehicle_or_tombstone(record: Record) -> VehicleRegistered:
    if record.value is not None:
        return _VEHICLE.validate_json(record.value)
    if record.key is None:
        raise ValueError("tombstone without a key")
    return VehicleRegistered(vehicle_id=record.key.decode(), active=False, producer="tombstone")


def register(broker: KafkaBroker, settings: ServiceSettings, projections: Projections) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)
    options = batch_subscriber_options(settings)

    def group(name: str) -> dict[str, Any]:
        # One group per projection: a rebalance of one never pauses the others.
        return {**options, "group_id": f"{settings.service_name}.{name}"}

    async def on_vehicle_batch(batch: list[Delivered[VehicleRegistered]]) -> None:
        await projections.apply_vehicles([d.message for d in batch])

    async def on_site_batch(batch: list[Delivered[SiteUpserted]]) -> None:
        await projections.apply_sites([d.message for d in batch])

    async def on_state_batch(batch: list[Delivered[VehicleStateChanged]]) -> None:
        await projections.apply_positions([d.message for d in batch])

    @broker.subscriber(FLEET_VEHICLES.name, **group("vehicles"))
    async def on_vehicles(msg: KafkaMessage) -> None:
        await process_batch(
            records_of(msg.raw_message), vehicle_or_tombstone, on_vehicle_batch, dead_letters, retry
        )

    @broker.subscriber(FLEET_SITES.name, **group("sites"))
    async def on_sites(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _SITE, on_site_batch, dead_letters, retry)

    @broker.subscriber(VEHICLE_STATE.name, **group("positions"))
    async def on_states(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _STATE, on_state_batch, dead_letters, retry)
