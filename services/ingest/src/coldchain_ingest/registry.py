"""The device registry: a projection of `fleet.devices.v1`, cached in memory for lookups.

Protocol adapters (Teltonika TCP, OsmAnd HTTP) ask it two things, without I/O:

* `is_known(device_id)`: a device bound to a vehicle, by its registry record or through
  `fleet.vehicles.v1`; a registered device with no vehicle is refused (it would report
  as a phantom vehicle), and so is one registered as inactive even if a vehicle still
  lists it.
* `options_for(device_id)`: its `DeviceOptions` (speed unit, Teltonika IO map); the
  empty defaults for a device that is not registered.

Like the bindings, the table is written by the replica that owns the partition and
every replica reloads it every `INGEST_BINDINGS_REFRESH_S`. A registry record's
`vehicle_id` is also written to the device bindings (None unbinds the device).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import RowMapping, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import DeviceOptions, DeviceRegistered
from coldchain_ingest.db import devices

_NO_OPTIONS = DeviceOptions()


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    device_id: str
    vehicle_id: str | None
    protocol: str
    options: DeviceOptions
    active: bool
    updated_at: datetime


class DeviceLookup(Protocol):
    """What a protocol adapter needs from the registry."""

    def is_known(self, device_id: str) -> bool: ...

    def options_for(self, device_id: str) -> DeviceOptions: ...


class BindingWriter(Protocol):
    @property
    def cache(self) -> Mapping[str, str]: ...

    async def apply_device(self, device_id: str, vehicle_id: str | None, at: datetime) -> None: ...


def known(entries: Mapping[str, DeviceEntry], bindings: Mapping[str, str], device_id: str) -> bool:
    """May report on a device port: bound to a vehicle, and not registered as inactive."""
    entry = entries.get(device_id)
    if entry is not None and not entry.active:
        return False
    return device_id in bindings


class DeviceRegistry:
    def __init__(self, engine: AsyncEngine, bindings: BindingWriter) -> None:
        self._engine = engine
        self._bindings = bindings
        self.cache: dict[str, DeviceEntry] = {}

    def is_known(self, device_id: str) -> bool:
        return known(self.cache, self._bindings.cache, device_id)

    def options_for(self, device_id: str) -> DeviceOptions:
        entry = self.cache.get(device_id)
        return entry.options if entry is not None and entry.active else _NO_OPTIONS

    async def load(self) -> None:
        self.cache = {entry.device_id: entry for entry in await self.all()}

    async def all(self) -> list[DeviceEntry]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(devices).order_by(devices.c.device_id))
            return [_entry(row._mapping) for row in rows]

    async def get(self, device_id: str) -> DeviceEntry | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(devices).where(devices.c.device_id == device_id))).first()
            return None if row is None else _entry(row._mapping)

    async def apply(self, device: DeviceRegistered) -> None:
        """Store the device's latest record and bind (or unbind) it accordingly."""
        entry = DeviceEntry(
            device_id=device.device_id,
            vehicle_id=device.vehicle_id,
            protocol=device.protocol,
            options=device.options,
            active=device.active,
            updated_at=device.occurred_at,
        )
        row = {
            "device_id": entry.device_id,
            "vehicle_id": entry.vehicle_id,
            "protocol": entry.protocol,
            "options": entry.options.model_dump(mode="json", exclude_none=True),
            "active": entry.active,
            "updated_at": entry.updated_at,
        }
        async with self._engine.begin() as conn:
            stmt = insert(devices).values(**row)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["device_id"],
                    set_={name: stmt.excluded[name] for name in row if name != "device_id"},
                )
            )
        await self._bindings.apply_device(
            entry.device_id, entry.vehicle_id if entry.active else None, entry.updated_at
        )
        self.cache = {**self.cache, entry.device_id: entry}


def _entry(row: RowMapping) -> DeviceEntry:
    return DeviceEntry(
        device_id=str(row["device_id"]),
        vehicle_id=None if row["vehicle_id"] is None else str(row["vehicle_id"]),
        protocol=str(row["protocol"]),
        options=DeviceOptions.model_validate(row["options"]),
        active=bool(row["active"]),
        updated_at=row["updated_at"],
    )
