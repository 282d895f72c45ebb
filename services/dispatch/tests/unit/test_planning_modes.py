"""Insertion, re-optimisation and re-planning on a running plan: locks hold, nothing is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coldchain_benchkit.examples import T0, at, order, problem, vehicle
from coldchain_benchkit.scenario import generate, new_order
from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning import solve
from coldchain_dispatch.planning.incremental import insert_order, reoptimise
from coldchain_dispatch.planning.model import DropReason, Plan, Problem, StopKind
from coldchain_dispatch.planning.replan import replan_vehicle_failure
from coldchain_dispatch.planning.validate import locked_moved, locked_prefix, violations

pytestmark = pytest.mark.unit
F = TemperatureZone.FROZEN


def day() -> tuple[Problem, Plan]:
    """Two trucks at 0 and 100 km, each with one nearby order."""
    p = problem(
        [vehicle("west"), vehicle("east", depot_km=100)],
        [order("w", 10, 20, service_min=10), order("e", 90, 80, service_min=10)],
    )
    plan = solve(p, time_limit_s=0.3, method="greedy")
    assert violations(p, plan) == []
    return p, plan


def sequence(plan: Plan, vehicle_id: str) -> list[tuple[str, StopKind]]:
    return [(s.order_id, s.kind) for s in plan.route(vehicle_id).stops]


def test_new_order_goes_to_the_cheapest_place_and_nothing_else_moves() -> None:
    """A new order at 15 -> 18 fits inside the west truck's trip; the east truck's stops are untouched."""
    p, plan = day()
    done = insert_order(p, plan, order("new", 15, 18), now=T0)
    assert done.vehicle_id == "west"
    assert violations(done.problem, done.plan) == []
    assert sequence(done.plan, "east") == sequence(plan, "east")
    kept = [s for s in sequence(done.plan, "west") if s[0] != "new"]
    assert kept == sequence(plan, "west")


def test_insertion_never_moves_started_stops() -> None:
    """At +15 min the west truck has set off for w's pick-up and delivery: both stay first, same times."""
    p, plan = day()
    now = T0 + timedelta(minutes=15)
    locked = locked_prefix(plan.route("west"), now)
    assert locked
    done = insert_order(p, plan, order("new", 5, 8), now=now)
    assert locked_moved(plan, done.plan, now) == []
    assert all(s.locked for s in done.plan.route("west").stops[: len(locked)])
    assert violations(done.problem, done.plan) == []


def test_incompatible_new_order_is_dropped_with_its_reason() -> None:
    p, plan = day()
    done = insert_order(p, plan, order("cold", 15, 18, zone=F), now=T0)
    assert done.vehicle_id is None
    assert {d.order_id: d.reason for d in done.plan.dropped} == {"cold": DropReason.NO_COMPATIBLE_VEHICLE}


def test_hundred_insertions_into_a_generated_day_stay_valid() -> None:
    """Orders keep arriving during a small day; each result passes the validator and keeps the locks."""
    p = generate("metro", seed=2, vehicles=8, orders=30)
    plan = solve(p, time_limit_s=0.3, method="greedy")
    now = p.epoch + timedelta(hours=3)
    for i in range(10):
        done = insert_order(p, plan, new_order(p, "metro", seed=2, index=i), now=now)
        assert violations(done.problem, done.plan) == []
        assert locked_moved(plan, done.plan, now) == []
        p, plan = done.problem, done.plan


def test_reoptimisation_keeps_locks_and_every_promised_order() -> None:
    """Background re-optimisation: locked stops stay, every order already planned stays planned, km never grow."""
    p = generate("metro", seed=4, vehicles=6, orders=25)
    plan = solve(p, time_limit_s=0.3, method="greedy")
    now = p.epoch + timedelta(hours=3)
    better = reoptimise(p, plan, now=now, time_limit_s=0.5)
    assert violations(p, better) == []
    assert locked_moved(plan, better, now) == []
    assert better.served_order_ids >= plan.served_order_ids
    if better.served_order_ids == plan.served_order_ids:
        assert sum(r.distance_km for r in better.routes) <= sum(r.distance_km for r in plan.routes) + 1e-6


def failing_day() -> tuple[Problem, Plan]:
    """The west truck picks up x at 10 (to 60) and y is still to collect at 30 (to 40); a spare truck waits at 20."""
    p = problem(
        [vehicle("west"), vehicle("spare", depot_km=20)],
        [order("x", 10, 60, service_min=5, priority=1), order("y", 30, 40, service_min=5)],
    )
    only_west = problem([vehicle("west")], list(p.orders))
    west_plan = solve(only_west, time_limit_s=0.3, method="greedy")
    spare_idle = solve(problem([vehicle("spare", depot_km=20)], []), time_limit_s=0.3, method="greedy")
    plan = Plan(west_plan.routes + spare_idle.routes, (), west_plan.stats)
    assert violations(p, plan) == []
    return p, plan


def test_breakdown_transfers_loads_on_board_and_reassigns_the_rest() -> None:
    """West breaks down at +12 min at 12 km with x on board: spare collects x there, and also does y."""
    p, plan = failing_day()
    assert sequence(plan, "west")[0] == ("x", StopKind.PICKUP)
    now = T0 + timedelta(minutes=16)
    result = replan_vehicle_failure(p, plan, "west", now=now, position=at(12))
    assert result.transfers == ("x",)
    assert result.reassigned == {"x": "spare", "y": "spare"}
    spare = result.plan.route("spare")
    pickup_x = next(s for s in spare.stops if s.order_id == "x" and s.kind is StopKind.PICKUP)
    assert pickup_x.location == at(12)
    assert pickup_x.service_start >= now + timedelta(minutes=30)  # handover time
    assert violations(result.problem, result.remaining) == []
    failed = result.plan.route("west")
    assert [(s.order_id, s.kind, s.locked) for s in failed.stops] == [("x", StopKind.PICKUP, True)]


def test_load_on_a_failed_truck_nobody_can_collect_is_dropped_as_transfer_impossible() -> None:
    """The spare is an ambient truck: it takes nothing chilled, so x is reported for a manual rescue."""
    p0, _ = failing_day()
    spare = vehicle("spare", depot_km=20, body=BodyType.AMBIENT)
    p = problem([vehicle("west"), spare], list(p0.orders))
    west_plan = solve(problem([vehicle("west")], list(p.orders)), time_limit_s=0.3, method="greedy")
    idle = solve(problem([spare], []), time_limit_s=0.3, method="greedy")
    plan = Plan(west_plan.routes + idle.routes, (), west_plan.stats)
    result = replan_vehicle_failure(p, plan, "west", now=T0 + timedelta(minutes=16))
    reasons = {d.order_id: d.reason for d in result.plan.dropped}
    assert reasons["x"] is DropReason.ONBOARD_TRANSFER_IMPOSSIBLE
    assert reasons["y"] is DropReason.NO_COMPATIBLE_VEHICLE


def test_replan_keeps_other_vehicles_started_stops() -> None:
    p = generate("metro", seed=6, vehicles=6, orders=25)
    plan = solve(p, time_limit_s=0.3, method="greedy")
    now = p.epoch + timedelta(hours=4)
    busiest = max(plan.routes, key=lambda r: len(r.stops)).vehicle_id
    result = replan_vehicle_failure(p, plan, busiest, now=now)
    others_before = Plan(tuple(r for r in plan.routes if r.vehicle_id != busiest), (), plan.stats)
    assert locked_moved(others_before, result.plan, now) == []
    assert violations(result.problem, result.remaining) == []
    served_or_dropped = result.plan.served_order_ids | {d.order_id for d in result.plan.dropped}
    remaining = {o.order_id for o in result.problem.orders}
    assert remaining <= served_or_dropped
