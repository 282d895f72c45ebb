"""Geofences (circles and polygons) and a vehicle's enter/exit with jitter protection.

Two guards against GPS jitter at the boundary:
* hysteresis in space: a vehicle inside stays inside until it is more than
  `exit_margin_m` beyond the boundary (circle: radius + margin; polygon: distance to the
  nearest edge);
* dwell in time: the new side must hold for `dwell_s` before the change is confirmed;
  what was observed holds until contradicted, so a fix on the other side cancels it,
  and the clock (or a later fix) confirms it. The event is dated at the first fix of
  the confirmed side.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import GeofenceEntered, GeofenceExited, SiteUpserted
from coldchain_contracts.tracking_events import TrackingEvent
from coldchain_servicekit.geo import haversine_m, local_xy
from coldchain_tracking.analysis.ids import event_id, subject_id
from coldchain_tracking.analysis.sample import Point

METRES_PER_DEGREE = 111_195.0  # of latitude (and of longitude at the equator) on the mean sphere


class Geofence(BaseModel):
    """A circle (`radius_m` around the centre) or a polygon (`polygon`: (lat, lon) vertices)."""

    model_config = ConfigDict(frozen=True)

    geofence_id: str
    site_id: str | None = None
    name: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    radius_m: float | None = Field(default=None, gt=0)
    polygon: tuple[tuple[float, float], ...] | None = Field(default=None, min_length=3)

    @classmethod
    def of_site(cls, site: SiteUpserted) -> Geofence:
        return cls(
            geofence_id=f"site:{site.site_id}",
            site_id=site.site_id,
            name=site.name,
            latitude=site.latitude,
            longitude=site.longitude,
            radius_m=site.geofence_radius_m,
        )

    @cached_property
    def _bbox(self) -> tuple[float, float, float, float]:
        """(south, north, west, east) in degrees, bounding the shape."""
        if self.polygon is None:
            radius = self.radius_m or 0.0
            dlat = radius / METRES_PER_DEGREE
            dlon = dlat / max(math.cos(math.radians(self.latitude)), 1e-6)
            return self.latitude - dlat, self.latitude + dlat, self.longitude - dlon, self.longitude + dlon
        lats = [p[0] for p in self.polygon]
        lons = [p[1] for p in self.polygon]
        return min(lats), max(lats), min(lons), max(lons)

    def surely_outside(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """Cheap pre-check: outside the bounding box widened by the margin (and 1 % slack)."""
        south, north, west, east = self._bbox
        pad = (margin_m / METRES_PER_DEGREE) * 1.01 + 1e-6
        pad_lon = pad / max(math.cos(math.radians(lat)), 1e-6)
        return lat < south - pad or lat > north + pad or lon < west - pad_lon or lon > east + pad_lon

    def distance_outside_m(self, lat: float, lon: float) -> float:
        """How far outside the boundary a point is (0 or negative inside)."""
        if self.polygon is None:
            radius = self.radius_m or 0.0
            return haversine_m((self.latitude, self.longitude), (lat, lon)) - radius
        if point_in_polygon(lat, lon, self.polygon):
            return 0.0
        return distance_to_polygon_m(lat, lon, self.polygon)

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        if self.surely_outside(lat, lon, margin_m):
            return False
        return self.distance_outside_m(lat, lon) <= margin_m


def point_in_polygon(lat: float, lon: float, polygon: tuple[tuple[float, float], ...]) -> bool:
    """Even-odd ray casting in (lon, lat) space; fine for polygons far from the antimeridian."""
    inside = False
    n = len(polygon)
    for i in range(n):
        lat1, lon1 = polygon[i]
        lat2, lon2 = polygon[(i + 1) % n]
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def distance_to_polygon_m(lat: float, lon: float, polygon: tuple[tuple[float, float], ...]) -> float:
    best = float("inf")
    n = len(polygon)
    for i in range(n):
        ax, ay = local_xy((lat, lon), polygon[i])
        bx, by = local_xy((lat, lon), polygon[(i + 1) % n])
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
        px, py = ax + t * dx, ay + t * dy
        best = min(best, (px * px + py * py) ** 0.5)
    return best


class Presence(BaseModel):
    """The vehicle's confirmed side of one geofence and a pending change to the other side."""

    model_config = ConfigDict(frozen=True)

    inside: bool = False
    site_id: str | None = None
    entered_at: datetime | None = None
    changing_since: Point | None = None


def observe(
    presence: Presence, fence: Geofence, vehicle_id: str, point: Point, dwell_s: float, exit_margin_m: float
) -> tuple[Presence, list[TrackingEvent]]:
    presence, events = elapse(presence, fence, vehicle_id, point.at, dwell_s)
    other_side = (
        not fence.contains(point.latitude, point.longitude, exit_margin_m)
        if presence.inside
        else fence.contains(point.latitude, point.longitude)
    )
    if not other_side:
        if presence.changing_since is not None:
            presence = presence.model_copy(update={"changing_since": None})
    elif presence.changing_since is None:
        presence = presence.model_copy(update={"changing_since": point})
    presence, confirmed = elapse(presence, fence, vehicle_id, point.at, dwell_s)
    return presence, events + confirmed


def elapse(
    presence: Presence, fence: Geofence, vehicle_id: str, now: datetime, dwell_s: float
) -> tuple[Presence, list[TrackingEvent]]:
    since = presence.changing_since
    if since is None or (now - since.at).total_seconds() < dwell_s:
        return presence, []
    if not presence.inside:
        visit = visit_id(vehicle_id, fence.geofence_id, since.at)
        entered = GeofenceEntered(
            event_id=event_id(visit, "GeofenceEntered"),
            vehicle_id=vehicle_id,
            at=since.at,
            latitude=since.latitude,
            longitude=since.longitude,
            geofence_id=fence.geofence_id,
            site_id=fence.site_id,
        )
        return Presence(inside=True, site_id=fence.site_id, entered_at=since.at), [entered]
    return Presence(), [exited(presence, fence.geofence_id, fence.site_id, vehicle_id, since)]


def exited(
    presence: Presence, geofence_id: str, site_id: str | None, vehicle_id: str, at: Point
) -> GeofenceExited:
    entered_at = presence.entered_at or at.at
    return GeofenceExited(
        event_id=event_id(visit_id(vehicle_id, geofence_id, entered_at), "GeofenceExited"),
        vehicle_id=vehicle_id,
        at=at.at,
        latitude=at.latitude,
        longitude=at.longitude,
        geofence_id=geofence_id,
        site_id=site_id,
        entered_at=presence.entered_at,
    )


def visit_id(vehicle_id: str, geofence_id: str, entered_at: datetime) -> uuid.UUID:
    return subject_id("visit", vehicle_id, geofence_id, entered_at)


class GeofenceIndex:
    """Fences bucketed by a grid of `cell_deg` cells, so a fix only meets the fences near it.

    A fence is filed under every cell its bounding box (widened by `margin_m`) touches;
    a fence too large for that (over `max_cells`) is checked for every fix.
    """

    def __init__(
        self,
        fences: tuple[Geofence, ...],
        margin_m: float = 100.0,
        cell_deg: float = 0.01,
        max_cells: int = 2500,
    ) -> None:
        self.fences = fences
        self._cell = cell_deg
        self._grid: dict[tuple[int, int], list[Geofence]] = {}
        self._everywhere: list[Geofence] = []
        pad = margin_m / METRES_PER_DEGREE * 1.01
        for fence in fences:
            south, north, west, east = fence._bbox
            pad_lon = pad / max(math.cos(math.radians(max(abs(south), abs(north)))), 1e-6)
            rows = range(self._key(south - pad), self._key(north + pad) + 1)
            cols = range(self._key(west - pad_lon), self._key(east + pad_lon) + 1)
            if len(rows) * len(cols) > max_cells:
                self._everywhere.append(fence)
                continue
            for r in rows:
                for c in cols:
                    self._grid.setdefault((r, c), []).append(fence)

    def _key(self, degrees: float) -> int:
        return math.floor(degrees / self._cell)

    def near(self, lat: float, lon: float) -> list[Geofence]:
        return [*self._grid.get((self._key(lat), self._key(lon)), ()), *self._everywhere]
