"""What ingest remembers of each device's recent accepted fixes.

The duplicate and implied-speed filters compare a fix with its device's neighbours
in time. The raw topic is keyed by device, so the replica that owns a device's
partition sees all its fixes and can keep this in memory. After a restart or a
rebalance the memory starts empty: a duplicate then passes through, which is
harmless because tracking's history is idempotent on (vehicle, device time).

A batch is judged against an `Overlay` and only committed to the memory once its
output is on Kafka, so a redelivered batch is judged exactly as the first time
(not rejected as duplicates of itself).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Seen:
    """One accepted fix, reduced to what the filters need."""

    at: datetime
    latitude: float
    longitude: float
    gps_valid: bool


class FixMemory:
    """Recent accepted fixes per device (bounded in fixes per device and in devices)."""

    def __init__(self, per_device: int = 64, max_devices: int = 200_000) -> None:
        self._per_device = per_device
        self._max_devices = max_devices
        self._devices: OrderedDict[str, list[Seen]] = OrderedDict()

    def recent(self, device_id: str) -> list[Seen]:
        """The device's remembered fixes, sorted by time (do not mutate)."""
        return self._devices.get(device_id, [])

    def overlay(self) -> Overlay:
        return Overlay(self)

    def commit(self, overlay: Overlay) -> None:
        for device_id, added in overlay.added.items():
            seen = self._devices.pop(device_id, [])
            for item in added:
                bisect.insort(seen, item, key=lambda s: s.at)
            self._devices[device_id] = seen[-self._per_device :]
        while len(self._devices) > self._max_devices:
            self._devices.popitem(last=False)


class Overlay:
    """A batch's tentative additions on top of the committed memory."""

    def __init__(self, base: FixMemory) -> None:
        self._base = base
        self.added: dict[str, list[Seen]] = {}

    def recent(self, device_id: str) -> list[Seen]:
        extra = self.added.get(device_id)
        if not extra:
            return self._base.recent(device_id)
        return sorted([*self._base.recent(device_id), *extra], key=lambda s: s.at)

    def remember(self, device_id: str, seen: Seen) -> None:
        self.added.setdefault(device_id, []).append(seen)
