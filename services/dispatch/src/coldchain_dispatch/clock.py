"""Dispatch's notion of "now": the wall clock, or the fleet's telemetry time.

`DISPATCH_CLOCK=fleet` is for simulated days replayed faster than real time
(`make simulate-day`, docs/architecture.md): the trucks' device times run ahead of the
wall clock, and plans, insertions and re-plans must cut the running plan where the trucks
are, not where the wall clock is. It reads the newest device time dispatch has projected
from `tracking.vehicle-state.v1`, never earlier than the wall clock, so it only moves
forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from coldchain_contracts import utcnow


class FleetClock:
    def __init__(self, wall: Callable[[], datetime] = utcnow) -> None:
        self._wall = wall
        self._newest: datetime | None = None

    def observe(self, device_time: datetime) -> None:
        if self._newest is None or device_time > self._newest:
            self._newest = device_time

    def __call__(self) -> datetime:
        wall = self._wall()
        return wall if self._newest is None or self._newest < wall else self._newest
