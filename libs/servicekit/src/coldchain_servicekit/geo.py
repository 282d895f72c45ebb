"""Great-circle geometry, the one copy: ingest filters, tracking analysis, dispatch travel
and the simulator all measure the Earth with this radius."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000.0

LatLon = tuple[float, float]


def haversine_m(a: LatLon, b: LatLon) -> float:
    """Distance in metres between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def local_xy(origin: LatLon, point: LatLon) -> tuple[float, float]:
    """Metres east/north of `origin`: equirectangular, accurate to well under 1 % within tens of km."""
    x = math.radians(point[1] - origin[1]) * EARTH_RADIUS_M * math.cos(math.radians(origin[0]))
    y = math.radians(point[0] - origin[0]) * EARTH_RADIUS_M
    return x, y
