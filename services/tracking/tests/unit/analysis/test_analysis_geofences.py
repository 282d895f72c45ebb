"""Geofence geometry (circle, polygon) and enter/exit with dwell and exit margin against jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import GeofenceEntered, GeofenceExited, SiteUpserted
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.geofences import (
    Geofence,
    GeofenceIndex,
    Presence,
    distance_to_polygon_m,
    observe,
    point_in_polygon,
)
from coldchain_tracking.analysis.sample import Point, Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# A 0.01° x 0.01° square (about 1.1 km x 0.9 km) north-east of (37.5, 127.0).
SQUARE = ((37.50, 127.00), (37.51, 127.00), (37.51, 127.01), (37.50, 127.01))
CIRCLE = Geofence(geofence_id="c", latitude=37.5, longitude=127.0, radius_m=150)
POLYGON = Geofence(geofence_id="p", polygon=SQUARE)
METRE_LAT = 1 / 111_195  # degrees of latitude per metre


def point(seconds: float, lat: float, lon: float = 127.0) -> Point:
    return Point(at=T0 + timedelta(seconds=seconds), latitude=lat, longitude=lon)


def run(fence: Geofence, points: list[Point], dwell: float = 60, margin: float = 30) -> list[object]:
    presence, events = Presence(), []
    for p in points:
        presence, ev = observe(presence, fence, "v1", p, dwell, margin)
        events += ev
    return events


def test_circle_contains_by_haversine_distance_and_margin_widens_it() -> None:
    assert CIRCLE.contains(37.5 + 140 * METRE_LAT, 127.0)
    assert not CIRCLE.contains(37.5 + 160 * METRE_LAT, 127.0)
    assert CIRCLE.contains(37.5 + 160 * METRE_LAT, 127.0, margin_m=30)


def test_point_in_polygon_and_distance_to_its_edge() -> None:
    assert point_in_polygon(37.505, 127.005, SQUARE)
    assert not point_in_polygon(37.515, 127.005, SQUARE)
    assert not point_in_polygon(37.505, 126.999, SQUARE)
    assert distance_to_polygon_m(37.51 + 100 * METRE_LAT, 127.005, SQUARE) == pytest.approx(100, rel=0.01)
    concave = ((0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (2.0, 1.5), (0.5, 1.5), (0.5, 0.5), (2.0, 0.5), (2.0, 0.0))
    assert point_in_polygon(1.0, 0.2, concave)
    assert not point_in_polygon(1.0, 1.0, concave)


def test_entering_needs_the_dwell_and_is_dated_at_the_first_fix_inside() -> None:
    outside, inside = 37.5 + 500 * METRE_LAT, 37.5
    events = run(CIRCLE, [point(0, outside), point(30, inside), point(60, inside), point(90, inside)])
    [entered] = events
    assert isinstance(entered, GeofenceEntered)
    assert entered.at == T0 + timedelta(seconds=30)


def test_a_single_jitter_fix_inside_or_just_outside_does_not_flap() -> None:
    outside, inside = 37.5 + 500 * METRE_LAT, 37.5
    assert run(CIRCLE, [point(0, outside), point(30, inside), point(50, outside), point(120, outside)]) == []
    edge_jitter = 37.5 + 170 * METRE_LAT  # 20 m outside the radius: within the exit margin
    events = run(
        CIRCLE, [point(0, inside), point(60, inside), point(90, edge_jitter), point(200, edge_jitter)]
    )
    assert [type(e) for e in events] == [GeofenceEntered]
    events = run(CIRCLE, [point(0, inside), point(60, inside), point(90, outside), point(100, inside)])
    assert [type(e) for e in events] == [GeofenceEntered]


def test_exit_after_the_dwell_beyond_the_margin_carries_the_entry_time() -> None:
    outside, inside = 37.5 + 500 * METRE_LAT, 37.5
    events = run(CIRCLE, [point(0, inside), point(60, inside), point(120, outside), point(180, outside)])
    entered, exited = events
    assert isinstance(exited, GeofenceExited)
    assert isinstance(entered, GeofenceEntered)
    assert exited.at == T0 + timedelta(seconds=120)
    assert exited.entered_at == entered.at


def test_polygon_enter_and_exit() -> None:
    points = [point(0, 37.499), point(60, 37.505, 127.005), point(120, 37.505, 127.005), point(180, 37.52)]
    points.append(point(240, 37.52))
    assert [type(e) for e in run(POLYGON, points)] == [GeofenceEntered, GeofenceExited]


def test_site_becomes_a_circle_geofence_and_vehicle_analysis_reports_its_visit() -> None:
    site = SiteUpserted(site_id="s1", code="S1", latitude=37.5, longitude=127.0, geofence_radius_m=200)
    fence = Geofence.of_site(site)
    assert (fence.geofence_id, fence.site_id, fence.radius_m) == ("site:s1", "s1", 200)
    ctx = AnalysisContext(AnalysisConfig(lateness_s=0), geofences=(fence,))
    state = VehicleAnalysis(vehicle_id="v1")
    events: list[object] = []
    for minute, lat in enumerate([37.52, 37.5, 37.5, 37.5, 37.52, 37.52]):
        s = Sample(at=T0 + timedelta(minutes=minute), latitude=lat, longitude=127.0, speed_kmh=0)
        outcome = advance(state, [s], ctx)
        state, events = outcome.state, events + outcome.events
    visits = [e for e in events if isinstance(e, GeofenceEntered | GeofenceExited)]
    assert [(type(e), e.site_id) for e in visits] == [(GeofenceEntered, "s1"), (GeofenceExited, "s1")]


def test_a_removed_geofence_closes_the_visit() -> None:
    ctx = AnalysisContext(AnalysisConfig(lateness_s=0, geofence_dwell_s=0), geofences=(CIRCLE,))
    state = advance(
        VehicleAnalysis(vehicle_id="v1"), [Sample(at=T0, latitude=37.5, longitude=127.0)], ctx
    ).state
    later = Sample(at=T0 + timedelta(minutes=1), latitude=37.5, longitude=127.0)
    outcome = advance(state, [later], AnalysisContext(AnalysisConfig(lateness_s=0)))
    assert [type(e) for e in outcome.events] == [GeofenceExited]
    assert outcome.state.presence == {}


def test_the_index_hands_a_fix_only_the_fences_near_it_and_huge_ones_always() -> None:
    far = Geofence(geofence_id="far", latitude=35.1, longitude=129.0, radius_m=150)
    huge = Geofence(geofence_id="huge", polygon=((30.0, 120.0), (40.0, 120.0), (40.0, 130.0)))
    index = GeofenceIndex((CIRCLE, POLYGON, far, huge))
    assert {f.geofence_id for f in index.near(37.5005, 127.0005)} == {"c", "p", "huge"}
    assert {f.geofence_id for f in index.near(35.1, 129.0)} == {"far", "huge"}
    assert {f.geofence_id for f in index.near(0.0, 0.0)} == {"huge"}
