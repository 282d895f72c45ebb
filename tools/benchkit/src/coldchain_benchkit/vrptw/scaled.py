"""Integer view of an instance for engines that only do integer arithmetic (PyVRP, OR-tools).

Every value is multiplied by `SCALE`. Distances (the objective) are rounded to nearest, so
the integer objective is within 0.5/SCALE per arc of the true one. Times are rounded so the
integer schedule is never earlier than the true one (travel and service times up, windows'
opening up, due times down): a route that is on time in integers is on time in doubles.
The engines' own distance figures are still never reported; `evaluate` recomputes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from coldchain_benchkit.vrptw.instance import VrptwInstance

SCALE = 10_000
IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class ScaledInstance:
    distance: IntMatrix = field(repr=False)
    travel_time: IntMatrix = field(repr=False)
    time_windows: tuple[tuple[int, int], ...]
    service_times: tuple[int, ...]


def scale(instance: VrptwInstance, factor: int = SCALE) -> ScaledInstance:
    exact = instance.distance * factor
    return ScaledInstance(
        distance=np.rint(exact).astype(np.int64),
        travel_time=np.ceil(exact).astype(np.int64),
        time_windows=tuple(
            (math.ceil(early * factor), math.floor(late * factor)) for early, late in instance.time_windows
        ),
        service_times=tuple(math.ceil(s * factor) for s in instance.service_times),
    )
