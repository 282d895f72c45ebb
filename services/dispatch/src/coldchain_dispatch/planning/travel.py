"""Travel times and distances between points, behind one small interface.

Default: great-circle (haversine) distance x a road circuity factor, driven at an urban
speed for the first kilometres of a leg and an expressway speed beyond (a distance-band
speed profile, no external service needed). `osrm.py` plugs a road network in through
the same `TravelModel` protocol. Results are integers (metres, seconds, rounded up) so
every consumer (solver, heuristics, validator) sees the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coldchain_servicekit.geo import EARTH_RADIUS_M

if TYPE_CHECKING:
    from coldchain_dispatch.planning.model import GeoPoint


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """`metres[i][j]` and `seconds[i][j]` from point i to point j."""

    metres: list[list[int]]
    seconds: list[list[int]]


class TravelModel(Protocol):
    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix: ...


class RectangularTravel(TravelModel, Protocol):
    """A model that can also price sources x targets (OSRM's table API can)."""

    def between(self, sources: Sequence[GeoPoint], targets: Sequence[GeoPoint]) -> TravelMatrix: ...


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
        return self.between(points, points)

    def between(self, sources: Sequence[GeoPoint], targets: Sequence[GeoPoint]) -> TravelMatrix:
        lat1 = np.radians(np.array([p.lat for p in sources], dtype=np.float64))
        lon1 = np.radians(np.array([p.lon for p in sources], dtype=np.float64))
        lat2 = np.radians(np.array([p.lat for p in targets], dtype=np.float64))
        lon2 = np.radians(np.array([p.lon for p in targets], dtype=np.float64))
        dlat = lat1[:, None] - lat2[None, :]
        dlon = lon1[:, None] - lon2[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin(dlon / 2) ** 2
        road_m = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * self.circuity
        urban_m = np.minimum(road_m, self.speed.urban_km * 1000.0)
        seconds = urban_m / (self.speed.urban_kmh / 3.6) + (road_m - urban_m) / (self.speed.highway_kmh / 3.6)
        return TravelMatrix(
            metres=np.ceil(road_m).astype(np.int64).tolist(),
            seconds=np.ceil(seconds).astype(np.int64).tolist(),
        )


class MatrixCache:
    """Travel between every point seen so far, grown by rows and columns as points appear.

    For repeated planning over mostly the same places (insertion after insertion),
    only the legs touching new points are computed; instances built with a cache index
    points by their position here. Not thread-safe: one cache per planner.
    """

    def __init__(self, travel: TravelModel) -> None:
        self.travel = travel
        self.points: list[GeoPoint] = []
        self.index: dict[GeoPoint, int] = {}
        self.metres: list[list[int]] = []
        self.seconds: list[list[int]] = []

    def add(self, points: Sequence[GeoPoint]) -> None:
        new = list(dict.fromkeys(p for p in points if p not in self.index))
        if not new:
            return
        old = self.points
        everything = old + new
        between = getattr(self.travel, "between", None)
        if between is None or not old:
            full = self.travel.matrix(everything)
            self.metres, self.seconds = full.metres, full.seconds
        else:
            out = between(new, everything)  # new rows
            back = between(old, new)  # new columns of the old rows
            for row, extra in zip(self.metres, back.metres, strict=True):
                row.extend(extra)
            for row, extra in zip(self.seconds, back.seconds, strict=True):
                row.extend(extra)
            self.metres.extend(out.metres)
            self.seconds.extend(out.seconds)
        for p in new:
            self.index[p] = len(self.points)
            self.points.append(p)
