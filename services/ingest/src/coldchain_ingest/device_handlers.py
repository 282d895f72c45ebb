"""Kafka adapter of the device registry: `fleet.devices.v1` into `ingest.devices`.

Written by the one replica that owns each partition (stable group `ingest.devices`),
like the vehicle bindings; a tombstone removes the device (stored as inactive, so a
vehicle that still lists it cannot make it known again).
"""

from __future__ import annotations

from typing import Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts import DeviceRegistered
from coldchain_contracts.topics import FLEET_DEVICES
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

_DEVICE = TypeAdapter(DeviceRegistered)


class RegistryStore(Protocol):
    async def apply(self, device: DeviceRegistered) -> None: ...


def device_or_tombstone(record: Record) -> DeviceRegistered:
    if record.value is not None:
        return _DEVICE.validate_json(record.value)
    if record.key is None:
        raise ValueError("tombstone without a key")
    return DeviceRegistered(
        device_id=record.key.decode(), protocol="removed", active=False, producer="tombstone"
    )


def register(broker: KafkaBroker, settings: ServiceSettings, registry: RegistryStore) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)
    options = {**batch_subscriber_options(settings), "group_id": f"{settings.service_name}.devices"}

    async def on_device_batch(batch: list[Delivered[DeviceRegistered]]) -> None:
        for item in batch:
            await registry.apply(item.message)

    @broker.subscriber(FLEET_DEVICES.name, **options)
    async def on_devices(msg: KafkaMessage) -> None:
        await process_batch(
            records_of(msg.raw_message), device_or_tombstone, on_device_batch, dead_letters, retry
        )
