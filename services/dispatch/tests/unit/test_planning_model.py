"""Model construction, travel model, compatibility matrix, KPIs and scenario generator."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from coldchain_benchkit.examples import LINE_TRAVEL, at, order, problem, vehicle
from coldchain_benchkit.scenario import generate
from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning import solve
from coldchain_dispatch.planning.compatibility import DEFAULT_MATRIX, CompatibilityMatrix, compartment_for
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import Problem, TimeWindow
from coldchain_dispatch.planning.travel import HaversineTravel, SpeedProfile

pytestmark = pytest.mark.unit
F, C, A = TemperatureZone.FROZEN, TemperatureZone.CHILLED, TemperatureZone.AMBIENT


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TimeWindow(datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 9))


def test_dual_body_needs_two_compartments() -> None:
    with pytest.raises(ValueError, match="2 compartment"):
        vehicle("v", body=BodyType.DUAL, compartments=(8,))


def test_priority_outside_one_to_ten_is_refused() -> None:
    with pytest.raises(ValueError, match="priority"):
        order("o", 1, 2, priority=0)


def test_unknown_onboard_order_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown order"):
        problem([vehicle("v", onboard=("ghost",))], [])


def test_default_matrix_matches_the_operator_rules() -> None:
    assert DEFAULT_MATRIX.zones_for(BodyType.FROZEN) == {F, C, A}
    assert DEFAULT_MATRIX.zones_for(BodyType.CHILLED) == {C, A}
    assert DEFAULT_MATRIX.zones_for(BodyType.DUAL) == {F, C, A}
    assert DEFAULT_MATRIX.zones_for(BodyType.AMBIENT) == {A}


def test_dual_body_puts_frozen_in_a_and_chilled_and_ambient_in_b() -> None:
    setpoints = (F, C)
    assert compartment_for(BodyType.DUAL, setpoints, F, DEFAULT_MATRIX) == 0
    assert compartment_for(BodyType.DUAL, setpoints, C, DEFAULT_MATRIX) == 1
    assert compartment_for(BodyType.DUAL, setpoints, A, DEFAULT_MATRIX) == 1


def test_matrix_is_configurable() -> None:
    """An operator who never puts ambient goods in reefers says so in one place."""
    strict = CompatibilityMatrix.of(
        {BodyType.FROZEN: {F, C}, BodyType.CHILLED: {C}, BodyType.DUAL: {F, C}, BodyType.AMBIENT: {A}}  # type: ignore[dict-item]
    )
    p = Problem((vehicle("v", body=BodyType.FROZEN),), (order("a", 1, 2, zone=A),), LINE_TRAVEL, strict)
    assert [d.order_id for d in solve(p, time_limit_s=0.2).dropped] == ["a"]


def test_matrix_must_list_every_body() -> None:
    with pytest.raises(ValueError, match="every body type"):
        CompatibilityMatrix.of({BodyType.FROZEN: frozenset({F})})


def test_travel_is_haversine_times_circuity_at_the_profile_speeds() -> None:
    """Seoul City Hall to Busan station is about 325 km as the crow flies."""
    seoul, busan = at(0), replace(at(0), lat=35.115, lon=129.041)
    travel = HaversineTravel(circuity=1.3, speed=SpeedProfile(urban_kmh=40, highway_kmh=80, urban_km=30))
    m = travel.matrix([seoul, busan])
    km = m.metres[0][1] / 1000
    assert m.metres[0][1] == m.metres[1][0]
    assert 1.3 * 300 < km < 1.3 * 350
    assert m.seconds[0][1] == pytest.approx(30 / 40 * 3600 + (km - 30) / 80 * 3600, abs=2)
    assert m.metres[0][0] == 0


def test_kpis_count_empty_km_and_fill() -> None:
    """Depot 0, order 10 -> 20 of 5 pallets on a 10-pallet truck: 40 km, 30 empty, fill 5*10/(10*40)."""
    p = problem([vehicle("v", compartments=(10,))], [order("o", 10, 20, pallets=5)])
    k = kpis(p, solve(p, time_limit_s=0.2))
    assert k.total_km == pytest.approx(40, abs=0.01)
    assert k.empty_km == pytest.approx(30, abs=0.01)
    assert k.pallet_fill == pytest.approx(50 / 400, abs=1e-3)
    assert (k.orders_served, k.orders_dropped, k.vehicles_used) == (1, 0, 1)
    assert k.fuel_krw == pytest.approx(40 / 5.5 * 1800, rel=1e-3)


def test_scenario_is_reproducible_from_its_seed() -> None:
    assert generate("metro", seed=7, vehicles=5, orders=20) == generate(
        "metro", seed=7, vehicles=5, orders=20
    )
    assert generate("metro", seed=7, vehicles=5, orders=20) != generate(
        "metro", seed=8, vehicles=5, orders=20
    )


def test_scenario_mixes_follow_the_domain_figures() -> None:
    p = generate("metro", seed=1)
    zones = Counter(o.zone for o in p.orders)
    assert len(p.vehicles) == 60
    assert len(p.orders) == 500
    assert 0.38 < zones[F] / 500 < 0.52
    assert 0.33 < zones[C] / 500 < 0.47
    bodies = Counter(v.body_type for v in p.vehicles)
    assert bodies[BodyType.AMBIENT] < bodies[BodyType.CHILLED]
    assert all(8 <= v.pallet_capacity <= 14 for v in p.vehicles)


def test_linehaul_orders_are_full_truckloads() -> None:
    p = generate("linehaul", seed=1, orders=100)
    assert all(10 <= o.pallets <= 16 for o in p.orders)
    assert all(o.delivery.window.start - o.pickup.window.start > timedelta(hours=2) for o in p.orders)


def test_matrix_cache_grows_to_the_same_numbers_as_a_full_matrix() -> None:
    """Pricing only the new places must give exactly what pricing everything gives."""
    from coldchain_dispatch.planning.travel import MatrixCache

    travel = HaversineTravel()
    first, later = [at(0), at(5), at(12)], [at(5), at(30), replace(at(1), lat=37.6)]
    cache = MatrixCache(travel)
    cache.add(first)
    cache.add(later)
    full = travel.matrix(cache.points)
    assert cache.metres == full.metres
    assert cache.seconds == full.seconds
    assert len(cache.points) == 5


def test_instances_built_with_a_cache_plan_the_same() -> None:
    from coldchain_dispatch.planning.greedy import greedy_sequences
    from coldchain_dispatch.planning.instance import build
    from coldchain_dispatch.planning.travel import MatrixCache

    p = generate("metro", seed=9, vehicles=4, orders=12)
    plain, cached = build(p), build(p, cache=MatrixCache(p.travel))
    assert greedy_sequences(plain) == greedy_sequences(cached)


def test_osrm_table_request_and_answer_follow_the_api() -> None:
    """Longitude first, both annotations, sources/destinations for a block; null legs unreachable."""
    from coldchain_dispatch.planning.osrm import UNREACHABLE, OsrmError, OsrmTableTravel

    asked: list[str] = []
    answer = {"code": "Ok", "durations": [[0, 61.2], [None, 0]], "distances": [[0, 1000.4], [None, 0]]}

    def fetch(url: str) -> bytes:
        asked.append(url)
        return json.dumps(answer).encode()

    osrm = OsrmTableTravel("http://osrm:5000/", fetch=fetch)
    m = osrm.matrix([at(0), at(1)])
    assert asked[0].startswith("http://osrm:5000/table/v1/driving/127.000000,37.500000;127.011")
    assert asked[0].endswith("?annotations=duration,distance")
    assert m.seconds == [[0, 62], [UNREACHABLE, 0]]
    assert m.metres == [[0, 1001], [UNREACHABLE, 0]]
    osrm.between([at(0)], [at(1), at(2)])
    assert asked[1].endswith("&sources=0&destinations=1;2")
    answer = {"code": "InvalidQuery", "message": "Query string malformed"}
    with pytest.raises(OsrmError, match="InvalidQuery"):
        osrm.matrix([at(0), at(1)])
