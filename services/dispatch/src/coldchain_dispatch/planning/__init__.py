"""Cold-chain dispatch planning: a pure PDPTW model, its solvers, and their checks.

`solve(problem, time_limit_s=..., seed=..., method="ortools"|"greedy") -> Plan` plans a
day; `insert_order` and `reoptimise` keep a running plan current; `replan_vehicle_failure`
re-assigns a failed truck's work; `validate.violations` checks any plan independently.
"""

from __future__ import annotations

from typing import Literal

from coldchain_dispatch.planning.greedy import solve_greedy
from coldchain_dispatch.planning.model import Plan, Problem
from coldchain_dispatch.planning.ortools_solver import solve_ortools

Method = Literal["ortools", "greedy"]


def solve(problem: Problem, *, time_limit_s: float, seed: int = 0, method: Method = "ortools") -> Plan:
    if method == "greedy":
        return solve_greedy(problem, seed=seed)
    if method == "ortools":
        return solve_ortools(problem, time_limit_s=time_limit_s, seed=seed)
    raise ValueError(f"method must be 'ortools' or 'greedy', got {method!r}")
