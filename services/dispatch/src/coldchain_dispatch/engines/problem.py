"""The engine-neutral routing problem: integer matrices, vehicles, shipments.

Every figure is an integer in the caller's units (the service: metres and seconds; Li &
Lim and Solomon: scaled distance). Locations are matrix indices; a shipment is picked up at
one location and delivered at another by the same vehicle, pickup first. A shipment already
on board is expressed as a pickup at the vehicle's start, due the moment it leaves. A job
is one visit that delivers goods loaded at the vehicle's start (a VRPTW client).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Step:
    location: int
    tw_early: int
    tw_late: int
    service: int = 0


@dataclass(frozen=True, slots=True)
class Shipment:
    """`vehicles`: indices of the vehicles that may carry it (None: any).

    An optional shipment (`required=False`) left out costs its `prize`.
    """

    pickup: Step
    delivery: Step
    amount: tuple[int, ...]
    required: bool = True
    prize: int = 0
    vehicles: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """One visit delivering `amount` from the vehicle's start; optional like a shipment."""

    step: Step
    amount: tuple[int, ...]
    required: bool = True
    prize: int = 0
    vehicles: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """`count` identical vehicles; `fixed_cost` is paid per vehicle used (fewer vehicles first)."""

    start: int
    end: int
    capacity: tuple[int, ...]
    tw_early: int
    tw_late: int
    max_duration: int | None = None
    fixed_cost: int = 0
    count: int = 1


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    distance: IntMatrix = field(repr=False)
    duration: IntMatrix = field(repr=False)
    vehicles: tuple[Vehicle, ...]
    shipments: tuple[Shipment, ...]
    jobs: tuple[Job, ...] = ()

    def __post_init__(self) -> None:
        size = self.distance.shape[0]
        _require(self.distance.shape == (size, size), "distance must be a square matrix")
        _require(self.duration.shape == (size, size), "duration must match distance")
        dims = {len(v.capacity) for v in self.vehicles} | {len(t.amount) for t in self.tasks}
        _require(len(dims) <= 1, f"every capacity and amount needs the same dimensions, got {dims}")
        for s in self.shipments:
            _require(
                0 <= s.pickup.location < size and 0 <= s.delivery.location < size,
                "shipment location out of range",
            )
        for j in self.jobs:
            _require(0 <= j.step.location < size, "job location out of range")
        for t in self.tasks:
            if t.vehicles is not None:
                _require(all(0 <= v < len(self.vehicles) for v in t.vehicles), "unknown vehicle index")

    @property
    def tasks(self) -> tuple[Shipment | Job, ...]:
        return self.shipments + self.jobs

    @property
    def dimensions(self) -> int:
        return len(self.vehicles[0].capacity) if self.vehicles else 0


@dataclass(frozen=True, slots=True)
class Visit:
    """A shipment's pickup or delivery; with `job`, `shipment` indexes `RoutingProblem.jobs`."""

    shipment: int
    pickup: bool
    job: bool = False


@dataclass(frozen=True, slots=True)
class EngineRoute:
    vehicle: int  # index into RoutingProblem.vehicles
    visits: tuple[Visit, ...]


@dataclass(frozen=True, slots=True)
class EngineResult:
    """`feasible`: the engine's own judgement (callers validate again); unserved shipments are absent."""

    engine: str
    routes: tuple[EngineRoute, ...]
    feasible: bool
    objective: int | None
    wall_s: float
