"""A VRPTW instance read from a VRPLIB file (Solomon instances as distributed by CVRPLIB)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import vrplib

DEPOT = 0


@dataclass(frozen=True, eq=False)
class VrptwInstance:
    """Node 0 is the depot, nodes 1..n the clients (the numbering of the `.sol` files).

    `distance[i, j]` is the double-precision Euclidean distance, which is also the travel time.
    """

    name: str
    coordinates: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]
    time_windows: tuple[tuple[float, float], ...]
    service_times: tuple[float, ...]
    capacity: int
    fleet_size: int
    distance: npt.NDArray[np.float64] = field(repr=False)

    @property
    def num_clients(self) -> int:
        return len(self.coordinates) - 1

    @property
    def clients(self) -> range:
        return range(1, len(self.coordinates))

    def truncated(self, num_clients: int) -> VrptwInstance:
        """The depot and the first `num_clients` clients (small instances for quick tests)."""
        keep = num_clients + 1
        return build(
            name=f"{self.name}-{num_clients}",
            coordinates=self.coordinates[:keep],
            demands=self.demands[:keep],
            time_windows=self.time_windows[:keep],
            service_times=self.service_times[:keep],
            capacity=self.capacity,
            fleet_size=self.fleet_size,
        )


def euclidean_matrix(coordinates: tuple[tuple[float, float], ...]) -> npt.NDArray[np.float64]:
    xy = np.asarray(coordinates, dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    matrix: npt.NDArray[np.float64] = np.sqrt((diff**2).sum(axis=2))
    matrix.setflags(write=False)
    return matrix


def build(
    *,
    name: str,
    coordinates: tuple[tuple[float, float], ...],
    demands: tuple[int, ...],
    time_windows: tuple[tuple[float, float], ...],
    service_times: tuple[float, ...],
    capacity: int,
    fleet_size: int,
) -> VrptwInstance:
    sizes = {len(coordinates), len(demands), len(time_windows), len(service_times)}
    if len(sizes) != 1:
        raise ValueError(f"{name}: per-node arrays differ in length: {sorted(sizes)}")
    return VrptwInstance(
        name=name,
        coordinates=coordinates,
        demands=demands,
        time_windows=time_windows,
        service_times=service_times,
        capacity=capacity,
        fleet_size=fleet_size,
        distance=euclidean_matrix(coordinates),
    )


def load(path: str | Path) -> VrptwInstance:
    """Read a VRPLIB VRPTW file (one depot, listed first)."""
    data: dict[str, Any] = vrplib.read_instance(str(path))
    depots = [int(d) for d in np.atleast_1d(data.get("depot", [0]))]
    if depots != [DEPOT]:
        raise ValueError(f"{path}: expected a single depot at node 1, got {depots}")
    nodes = int(data["dimension"])
    # SERVICE_TIME may be one value for every client or a per-node section; the depot has none.
    service = np.broadcast_to(np.asarray(data.get("service_time", 0), dtype=np.float64), (nodes,)).copy()
    service[DEPOT] = 0.0
    return build(
        name=str(data.get("name", Path(path).stem)),
        coordinates=tuple((float(x), float(y)) for x, y in data["node_coord"]),
        demands=tuple(int(d) for d in data["demand"]),
        time_windows=tuple((float(a), float(b)) for a, b in data["time_window"]),
        service_times=tuple(float(s) for s in service),
        capacity=int(data["capacity"]),
        fleet_size=int(data.get("vehicles", nodes - 1)),
    )
