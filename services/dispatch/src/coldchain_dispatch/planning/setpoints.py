"""Fix one setpoint per compartment per vehicle before routing.

OR-tools cannot say "frozen and chilled loads never overlap on board"; fixing the
setpoint of each single-compartment reefer for the whole route turns the rule into
plain zone compatibility. Choice, in order: a setpoint pinned on the vehicle (its
reefer's current setpoint); the zone of goods already on board; otherwise frozen
bodies start at frozen and the largest ones are switched to chilled while that lowers
the worse of the two demand/capacity ratios (pallets of frozen vs chilled orders).
The cost: a reefer cannot switch setpoint between trips within one plan.
"""

from __future__ import annotations

from coldchain_contracts.fleet import TemperatureZone
from coldchain_dispatch.planning.compatibility import REFRIGERATED, compartment_for, setpoint_options
from coldchain_dispatch.planning.model import Problem, Vehicle

F, C = TemperatureZone.FROZEN, TemperatureZone.CHILLED


def choose_setpoints(problem: Problem) -> dict[str, tuple[TemperatureZone, ...]]:
    matrix = problem.compatibility
    chosen: dict[str, tuple[TemperatureZone, ...]] = {}
    switchable: list[Vehicle] = []
    for v in problem.vehicles:
        options = setpoint_options(v.body_type, matrix)
        forced = _forced(problem, v, options)
        if forced is not None:
            chosen[v.vehicle_id] = forced
        elif len(options) == 1:
            chosen[v.vehicle_id] = options[0]
        else:
            chosen[v.vehicle_id] = (F,) if (F,) in options else options[0]
            if (F,) in options and (C,) in options:
                switchable.append(v)
    _balance(problem, chosen, switchable)
    return chosen


def _forced(
    problem: Problem, v: Vehicle, options: tuple[tuple[TemperatureZone, ...], ...]
) -> tuple[TemperatureZone, ...] | None:
    if v.setpoint is not None and (v.setpoint,) in options:
        return (v.setpoint,)
    cold = {problem.order(oid).zone for oid in v.onboard} & set(REFRIGERATED)
    if len(cold) == 1 and (next(iter(cold)),) in options:
        return (next(iter(cold)),)
    return None


def _capacity(problem: Problem, chosen: dict[str, tuple[TemperatureZone, ...]], zone: TemperatureZone) -> int:
    total = 0
    for v in problem.vehicles:
        index = compartment_for(v.body_type, chosen[v.vehicle_id], zone, problem.compatibility)
        if index is not None:
            total += v.compartments[index]
    return total


def _balance(
    problem: Problem, chosen: dict[str, tuple[TemperatureZone, ...]], switchable: list[Vehicle]
) -> None:
    demand = {z: sum(o.pallets for o in problem.orders if o.zone is z) for z in (F, C)}

    def worst() -> float:
        ratios = []
        for z in (F, C):
            cap = _capacity(problem, chosen, z)
            ratios.append(demand[z] / cap if cap else (float("inf") if demand[z] else 0.0))
        return max(ratios)

    for v in sorted(switchable, key=lambda v: (-v.pallet_capacity, v.vehicle_id)):
        before = worst()
        chosen[v.vehicle_id] = (C,)
        if worst() >= before:
            chosen[v.vehicle_id] = (F,)
