"""A Li & Lim PDPTW instance read from its text format (pure: `parse` takes the text).

Line 1: `K Q S` (vehicles, capacity, speed; travel time equals Euclidean distance whatever
S says). Then one line per task: `id x y demand ready due service pickup delivery`; task 0
is the depot. A pickup (demand > 0) names its delivery in the last field; a delivery
(demand < 0) names its pickup in the field before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEPOT = 0


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float
    pickup: int  # on a delivery: its pickup's id, else 0
    delivery: int  # on a pickup: its delivery's id, else 0


@dataclass(frozen=True, eq=False)
class PdptwInstance:
    """`tasks[i].id == i`; `distance[i, j]` is the Euclidean distance, also the travel time."""

    name: str
    vehicles: int
    capacity: int
    tasks: tuple[Task, ...]
    distance: npt.NDArray[np.float64] = field(repr=False)

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(pickup id, delivery id) for every request, in pickup-id order."""
        return tuple((t.id, t.delivery) for t in self.tasks[1:] if t.delivery)

    @property
    def horizon(self) -> float:
        return self.tasks[DEPOT].due


class FormatError(ValueError):
    pass


def _euclidean(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    diff = xy[:, None, :] - xy[None, :, :]
    matrix: npt.NDArray[np.float64] = np.sqrt((diff**2).sum(axis=2))
    matrix.setflags(write=False)
    return matrix


def parse(text: str, name: str) -> PdptwInstance:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines or len(lines[0]) < 2:
        raise FormatError(f"{name}: first line must be 'vehicles capacity [speed]'")
    vehicles, capacity = int(lines[0][0]), int(lines[0][1])
    tasks: list[Task] = []
    for number, fields in enumerate(lines[1:], start=2):
        if len(fields) != 9:
            raise FormatError(f"{name} line {number}: expected 9 fields, got {len(fields)}")
        tid, x, y, demand, ready, due, service, pickup, delivery = fields
        task = Task(
            int(tid), float(x), float(y), int(demand), float(ready), float(due), float(service),
            int(pickup), int(delivery),
        )  # fmt: skip
        if task.id != len(tasks):
            raise FormatError(f"{name} line {number}: tasks must be numbered 0, 1, ... in order")
        tasks.append(task)
    if not tasks:
        raise FormatError(f"{name}: no depot line")
    _check_pairs(name, tasks)
    xy = np.array([(t.x, t.y) for t in tasks], dtype=np.float64)
    return PdptwInstance(name, vehicles, capacity, tuple(tasks), _euclidean(xy))


def _check_pairs(name: str, tasks: list[Task]) -> None:
    count = len(tasks)
    for t in tasks[1:]:
        if t.demand >= 0 and t.delivery:
            mate = tasks[t.delivery] if 0 < t.delivery < count else None
            if mate is None or mate.pickup != t.id or mate.demand != -t.demand:
                raise FormatError(f"{name}: pickup {t.id} names delivery {t.delivery}, which does not match")
        elif t.demand < 0:
            mate = tasks[t.pickup] if 0 < t.pickup < count else None
            if mate is None or mate.delivery != t.id:
                raise FormatError(f"{name}: delivery {t.id} names pickup {t.pickup}, which does not match")
        else:
            raise FormatError(f"{name}: task {t.id} is neither a pickup nor a delivery")


def load(path: str | Path) -> PdptwInstance:
    p = Path(path)
    return parse(p.read_text(), p.stem)
