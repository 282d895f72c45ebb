"""Cold-chain dispatch planning: a pure PDPTW model, its solvers, and their checks.

`solve(problem, time_limit_s=..., seed=..., method="portfolio"|"ortools"|"greedy") -> Plan`
plans a day (`portfolio`, the default: the engine portfolio, PyVRP where it can express
the problem; `ortools`: the OR-tools solver from the greedy start); `insert_order` and `reoptimise` keep a running plan current; `replan_vehicle_failure`
re-assigns a failed truck's work; `validate.violations` checks any plan independently.
"""

from __future__ import annotations

from typing import Literal

from coldchain_dispatch.planning.greedy import solve_greedy
from coldchain_dispatch.planning.model import Plan, Problem
from coldchain_dispatch.planning.ortools_solver import solve_ortools
from coldchain_dispatch.planning.portfolio_solver import solve_portfolio

Method = Literal["portfolio", "ortools", "greedy"]


def solve(problem: Problem, *, time_limit_s: float, seed: int = 0, method: Method = "portfolio") -> Plan:
    if method == "greedy":
        return solve_greedy(problem, seed=seed)
    if method == "portfolio":
        return solve_portfolio(problem, time_limit_s=time_limit_s, seed=seed)
    if method == "ortools":
        return solve_ortools(problem, time_limit_s=time_limit_s, seed=seed)
    raise ValueError(f"method must be 'portfolio', 'ortools' or 'greedy', got {method!r}")
