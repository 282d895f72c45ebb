"""Compressed time for a simulated day (pure): simulated instants by tick, wall pacing.

The day advances in fixed simulated steps (one fix per truck per step). Tick `n` is the
instant `start + n * step`; it is due on the wall clock `n * step / speed` seconds after
the run began, so `speed` is a ceiling: when posting or the services fall behind, the
simulation waits for them instead of skipping time (docs/architecture.md, "Simulated days
run ahead of the clock").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Pacing:
    start: datetime
    """Simulated instant of tick 0 (timezone-aware)."""
    step: timedelta
    speed: float
    """Simulated seconds per wall second, at most."""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.step <= timedelta(0):
            raise ValueError(f"step must be positive, got {self.step}")
        if self.speed <= 0:
            raise ValueError(f"speed must be positive, got {self.speed}")

    def at(self, tick: int) -> datetime:
        return self.start + self.step * tick

    def due_s(self, tick: int) -> float:
        """Wall seconds after the run began at which `tick` is due."""
        return (self.step * tick).total_seconds() / self.speed

    def ticks_until(self, end: datetime) -> int:
        """The first tick at or after `end`."""
        return max(0, -(-int((end - self.start).total_seconds()) // int(self.step.total_seconds())))
