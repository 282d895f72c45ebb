"""Evaluator: agrees with the published double-precision BKS figures and finds each violation."""

from __future__ import annotations

import csv
import math

import pytest
import vrplib

from coldchain_benchkit.vrptw.evaluate import ViolationKind, evaluate, route_distance
from coldchain_benchkit.vrptw.instance import VrptwInstance, build, load
from coldchain_devtools.shared_data import vrptw_dir

pytestmark = pytest.mark.unit
BENCH = vrptw_dir()
BKS_CSV = BENCH / "bks_routes_double_precision.csv"


def bks_rows() -> list[tuple[str, float, bool]]:
    if not BKS_CSV.exists():
        return []
    with BKS_CSV.open() as f:
        return [
            (r["instance"], float(r["bks_routes_distance_double"]), r["bks_routes_feasible_double"] == "True")
            for r in csv.DictReader(f)
        ]


@pytest.mark.parametrize(("name", "distance", "feasible"), bks_rows())
def test_bks_routes_match_published_double_precision_figures(
    name: str, distance: float, feasible: bool
) -> None:
    instance = load(BENCH / "solomon" / f"{name}.vrp")
    routes = vrplib.read_solution(str(BENCH / "solomon" / f"{name}.sol"))["routes"]
    result = evaluate(instance, routes)
    # The csv gives four decimals.
    assert result.distance == pytest.approx(distance, abs=5e-5)
    assert result.feasible is feasible, result.violations
    assert result.vehicles == len(routes)


def tiny() -> VrptwInstance:
    """Depot at the origin, open 0..100; clients on the axes, distances 3, 4 and 5 apart."""
    return build(
        name="tiny",
        coordinates=((0, 0), (3, 0), (3, 4), (0, 4)),
        demands=(0, 4, 5, 6),
        time_windows=((0, 100), (0, 10), (20, 30), (0, 100)),
        service_times=(0, 1, 1, 1),
        capacity=15,
        fleet_size=2,
    )


def kinds(instance: VrptwInstance, routes: list[list[int]]) -> list[ViolationKind]:
    return [v.kind for v in evaluate(instance, routes).violations]


def test_feasible_solution_with_waiting() -> None:
    # Arrive at client 2 at 3 + 1 + 4 = 8, wait until it opens at 20: waiting is allowed.
    result = evaluate(tiny(), [[1, 2, 3]])
    assert result.feasible, result.violations
    assert result.distance == 3 + 4 + 3 + 4
    assert result.vehicles == 1
    assert route_distance(tiny(), [3]) == 8


def test_capacity() -> None:
    heavy = build(**{**_fields(tiny()), "capacity": 14})
    assert kinds(heavy, [[1, 2, 3]]) == [ViolationKind.CAPACITY]


def test_time_window() -> None:
    # Client 1 closes at 10; via 3 (served 4..5) and 2 (waits, served 20..21) it is reached at 25.
    violations = evaluate(tiny(), [[3, 2, 1]]).violations
    assert [(v.kind, v.client) for v in violations] == [(ViolationKind.TIME_WINDOW, 1)]


def test_depot_return() -> None:
    # Client 1 served 3..4, client 2 waits and is served 20..21, client 3 24..25, back at 29.
    on_time = build(**{**_fields(tiny()), "time_windows": ((0, 29), (0, 10), (20, 30), (0, 100))})
    assert kinds(on_time, [[1, 2, 3]]) == []
    later = build(**{**_fields(tiny()), "time_windows": ((0, 28.5), (0, 10), (20, 30), (0, 100))})
    assert kinds(later, [[1, 2, 3]]) == [ViolationKind.DEPOT_RETURN]


def test_duplicate_missing_unknown_and_fleet() -> None:
    assert kinds(tiny(), [[1, 2], [1, 3]]) == [ViolationKind.DUPLICATE_CLIENT]
    assert kinds(tiny(), [[1, 2]]) == [ViolationKind.MISSING_CLIENT]
    assert kinds(tiny(), [[1], [2], [3]]) == [ViolationKind.FLEET_SIZE]
    unknown = evaluate(tiny(), [[1, 2, 3, 7]])
    assert [v.kind for v in unknown.violations] == [ViolationKind.UNKNOWN_CLIENT]
    assert math.isnan(unknown.distance)


def test_empty_routes_are_not_vehicles() -> None:
    result = evaluate(tiny(), [[], [1, 2, 3], []])
    assert result.feasible
    assert result.vehicles == 1


def _fields(instance: VrptwInstance) -> dict[str, object]:
    return {
        "name": instance.name,
        "coordinates": instance.coordinates,
        "demands": instance.demands,
        "time_windows": instance.time_windows,
        "service_times": instance.service_times,
        "capacity": instance.capacity,
        "fleet_size": instance.fleet_size,
    }
