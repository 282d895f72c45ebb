"""Kafka adapter of the device registry: `fleet.devices.v1` into `ingest.devices`.

Written by the one replica that owns each partition (stable group `ingest.devices`),
like the vehicle bindings; a tombstone removes the device (stored as inactive, so a
vehicle that still lists it cannot make it known again).
"""

from __future__ import annotations

from typing import Protocol

from faststream.kafka import KafkaBroker
from pydantic import TypeAdapter

from coldchain_contracts import DeviceRegistered
from coldchain_contracts.topics import FLEET_DEVICES
from coldchain_servicekit.consumers import Consumers, Delivered, tombstone_aware
from coldchain_servicekit.settings import ServiceSettings

_DEVICE = TypeAdapter(DeviceRegistered)


class RegistryStore(Protocol):
    async def apply(self, device: DeviceRegistered) -> None: ...


device_or_tombstone = tombstone_aware(_DEVICE, DeviceRegistered.removed)


def register(broker: KafkaBroker, settings: ServiceSettings, registry: RegistryStore) -> None:
    async def on_device_batch(batch: list[Delivered[DeviceRegistered]]) -> None:
        for item in batch:
            await registry.apply(item.message)

    Consumers(broker, settings).subscribe(
        FLEET_DEVICES.name, device_or_tombstone, on_device_batch, group="devices"
    )
