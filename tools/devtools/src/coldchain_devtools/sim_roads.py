"""Road geometry of the simulated trucks (pure): the heading between two points and a
road-like path instead of a beeline."""

from __future__ import annotations

import math


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def road_like_route(start: tuple[float, float], target: tuple[float, float]) -> list[tuple[float, float]]:
    """Two legs, north-south then east-west, the way arterial roads run, not a beeline."""
    return [(target[0], start[1]), target]
