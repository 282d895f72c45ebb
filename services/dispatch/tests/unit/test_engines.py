"""The engine portfolio on small problems: what each engine expresses, and answers a validator accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coldchain_benchkit.pdptw.instance import load
from coldchain_benchkit.pdptw.solve import VARIANTS, solve_pdptw
from coldchain_devtools.shared_data import pdptw_dir
from coldchain_dispatch.engines import ortools_engine, portfolio, pyvrp_engine
from coldchain_dispatch.engines.problem import Job, RoutingProblem, Shipment, Step, Vehicle

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[4]


def line_problem(shared_site: bool = False) -> RoutingProblem:
    """Two vehicles at location 0; shipment 0 may ride only vehicle 1, shipment 1 is optional
    and too heavy for anyone, shipment 2 is free. Locations on a line, 10 apart."""
    xs = np.array([0, 10, 20, 30, 40, 50, 60], dtype=np.int64)
    matrix = np.abs(xs[:, None] - xs[None, :])
    last = 1 if shared_site else 6

    def step(loc: int) -> Step:
        return Step(loc, 0, 1_000, 1)

    return RoutingProblem(
        distance=matrix,
        duration=matrix,
        vehicles=(Vehicle(0, 0, (5,), 0, 1_000), Vehicle(0, 0, (5,), 0, 1_000)),
        shipments=(
            Shipment(step(1), step(2), (3,), vehicles=frozenset({1})),
            Shipment(step(3), step(4), (9,), required=False, prize=5),
            Shipment(step(5), step(last), (2,)),
        ),
    )


@pytest.mark.parametrize("engine", sorted(portfolio.ENGINES))
def test_a_jobs_goods_ride_from_the_start_beside_shipments(engine: str) -> None:
    """Depot 0, pickup 1, delivery 2, job 3 on a line; capacity 10, 6 units each. The
    shortest tour (pickup, delivery, job) would carry 12 on leaving the pickup, because
    the job's 6 are on board from the start: only job first fits."""
    xs = np.array([0, 1, 2, 3], dtype=np.int64)
    matrix = np.abs(xs[:, None] - xs[None, :])
    anytime = Step(0, 0, 1_000)
    problem = RoutingProblem(
        distance=matrix,
        duration=matrix,
        vehicles=(Vehicle(0, 0, (10,), 0, 1_000),),
        shipments=(Shipment(Step(1, 0, 1_000), Step(2, 0, 1_000), (6,)),),
        jobs=(Job(Step(3, anytime.tw_early, anytime.tw_late), (6,)),),
    )
    result = portfolio.solve(problem, 0.5, engine=engine)
    assert result.feasible
    [route] = result.routes
    assert [(v.job, v.pickup) for v in route.visits] == [(True, False), (False, True), (False, False)]


@pytest.mark.parametrize("engine", sorted(portfolio.ENGINES))
def test_each_engine_respects_allowed_vehicles_capacity_and_pairs(engine: str) -> None:
    result = portfolio.solve(line_problem(), 1.0, engine=engine)
    assert result.engine == engine
    assert result.feasible
    served = {}
    for route in result.routes:
        for k, visit in enumerate(route.visits):
            served.setdefault(visit.shipment, []).append((route.vehicle, k, visit.pickup))
    assert 1 not in served  # 9 units never fit in 5
    assert served[0][0][0] == 1  # vehicle 1 only
    for visits in served.values():
        (v1, k1, p1), (v2, k2, p2) = visits
        assert v1 == v2
        assert p1
        assert not p2
        assert k1 < k2


def test_the_portfolio_picks_pyvrp_unless_a_restricted_stop_shares_a_site() -> None:
    assert pyvrp_engine.expresses(line_problem())
    assert portfolio.choose(line_problem()) == "pyvrp"
    shared = line_problem(shared_site=True)
    assert not pyvrp_engine.expresses(shared)
    assert portfolio.choose(shared) == "ortools"
    with pytest.raises(ValueError, match="cannot express"):
        pyvrp_engine.solve(shared, 0.5)
    assert ortools_engine.solve(shared, 0.5).feasible


def test_problem_checks_its_shape() -> None:
    good = line_problem()
    with pytest.raises(ValueError, match="dimensions"):
        RoutingProblem(
            good.distance, good.duration, good.vehicles, (Shipment(Step(1, 0, 9), Step(2, 0, 9), (1, 1)),)
        )
    with pytest.raises(ValueError, match="square"):
        RoutingProblem(good.distance[:3], good.duration, good.vehicles, ())


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_li_lim_short_solves_are_feasible_and_complete(variant: str) -> None:
    inst = load(pdptw_dir() / "lc101.txt")
    result = solve_pdptw(inst, seconds=2.0, variant=variant)
    assert result.evaluation.feasible, result.evaluation.violations
    assert sorted(t for r in result.routes for t in r) == list(range(1, len(inst.tasks)))


def test_solve_pdptw_prints_one_json_line() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "solve_pdptw.py"), "lc201", "--seconds", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    answer = json.loads(lines[-1])
    assert len(lines) == 1
    assert set(answer) == {"routes", "vehicles", "distance", "wall_s"}
    assert answer["vehicles"] == len(answer["routes"])
    assert answer["distance"] > 0
