"""Travel times and distances between points, behind one small interface.

Default: great-circle (haversine) distance x a road circuity factor, driven at an urban
speed for the first kilometres of a leg and an expressway speed beyond (a distance-band
speed profile, no external service needed). `osrm.py` plugs a road network in through
the same `TravelModel` protocol. Results are integers (metres, seconds, rounded up) so
every consumer (solver, heuristics, validator) sees the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from coldchain_dispatch.planning.model import GeoPoint

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """`metres[i][j]` and `seconds[i][j]` from point i to point j."""

    metres: list[list[int]]
    seconds: list[list[int]]


class TravelModel(Protocol):
    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix: ...


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """The first `urban_km` of a leg at `urban_kmh`, the rest at `highway_kmh`."""

    urban_kmh: float = 40.0
    highway_kmh: float = 80.0
    urban_km: float = 30.0

    def __post_init__(self) -> None:
        if self.urban_kmh <= 0 or self.highway_kmh <= 0 or self.urban_km < 0:
            raise ValueError(f"speeds must be > 0 and urban_km >= 0, got {self}")


@dataclass(frozen=True, slots=True)
class HaversineTravel:
    circuity: float = 1.3
    speed: SpeedProfile = SpeedProfile()

    def __post_init__(self) -> None:
        if self.circuity < 1.0:
            raise ValueError(
                f"circuity must be >= 1 (roads are never shorter than the crow flies), got {self.circuity}"
            )

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        lat = np.radians(np.array([p.lat for p in points], dtype=np.float64))
        lon = np.radians(np.array([p.lon for p in points], dtype=np.float64))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        road_m = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * self.circuity
        urban_m = np.minimum(road_m, self.speed.urban_km * 1000.0)
        seconds = urban_m / (self.speed.urban_kmh / 3.6) + (road_m - urban_m) / (self.speed.highway_kmh / 3.6)
        return TravelMatrix(
            metres=np.ceil(road_m).astype(np.int64).tolist(),
            seconds=np.ceil(seconds).astype(np.int64).tolist(),
        )


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance, for generators and sanity checks."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h))) / 1000.0
