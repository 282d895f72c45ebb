"""Short solves: each engine returns a feasible solution whose figures our evaluator recomputes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from coldchain_benchkit.vrptw.__main__ import main
from coldchain_benchkit.vrptw.evaluate import evaluate, route_distance
from coldchain_benchkit.vrptw.instance import VrptwInstance, load
from coldchain_benchkit.vrptw.scaled import SCALE, scale
from coldchain_benchkit.vrptw.solve import solve_vrptw
from coldchain_devtools.shared_data import vrptw_dir

pytestmark = pytest.mark.unit
R101 = vrptw_dir() / "solomon" / "R101.vrp"


@pytest.fixture(scope="module")
def r101_25() -> VrptwInstance:
    return load(R101).truncated(25)


@pytest.mark.parametrize("engine", ["auto", "pyvrp", "ortools"])
def test_short_solve_is_feasible_and_reevaluated(r101_25: VrptwInstance, engine: str) -> None:
    result = solve_vrptw(r101_25, seconds=0.5, seed=1, engine=engine)
    assert result.engine == ("pyvrp" if engine == "auto" else engine)  # the portfolio picks PyVRP for VRPTW
    assert result.evaluation.feasible, result.evaluation.violations
    assert sorted(c for r in result.routes for c in r) == list(r101_25.clients)
    assert result.evaluation.distance == sum(route_distance(r101_25, r) for r in result.routes)
    assert result.evaluation == evaluate(r101_25, result.routes)
    # R101's first 25 clients: the best-known distance (DIMACS) is 617.1 with 8 vehicles.
    assert result.evaluation.distance < 617.1 * 1.06
    assert result.seconds < 5


def test_cli_prints_the_result_object_last(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(R101), "--seconds", "0.3"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"instance", "vehicles", "distance", "seconds", "routes"} <= out.keys()
    assert out["instance"] == "R101"
    assert out["vehicles"] == len(out["routes"])
    assert out["distance"] == pytest.approx(evaluate(load(R101), out["routes"]).distance, abs=1e-6)


def test_unknown_engine_is_refused(r101_25: VrptwInstance) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        solve_vrptw(r101_25, 1, engine="gurobi")


def test_scaled_times_never_run_early(r101_25: VrptwInstance) -> None:
    scaled = scale(r101_25)
    exact = r101_25.distance * SCALE
    assert (scaled.travel_time >= exact).all()
    assert np.abs(scaled.distance - exact).max() <= 0.5
    for (early, late), (s_early, s_late) in zip(r101_25.time_windows, scaled.time_windows, strict=True):
        assert s_early >= early * SCALE
        assert s_late <= late * SCALE
    assert all(
        s >= math.ceil(t * SCALE) for t, s in zip(r101_25.service_times, scaled.service_times, strict=True)
    )
