"""The independent validator catches each kind of broken plan a solver could return."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from coldchain_benchkit.examples import at, hours, order, problem, vehicle
from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning import solve
from coldchain_dispatch.planning.model import DroppedOrder, DropReason, Plan, Problem, Route
from coldchain_dispatch.planning.validate import InvalidPlan, assert_valid, violations

pytestmark = pytest.mark.unit
F, C = TemperatureZone.FROZEN, TemperatureZone.CHILLED


def good() -> tuple[Problem, Plan]:
    p = problem(
        [vehicle("v1", body=BodyType.DUAL, compartments=(4, 4), forklift=True)],
        [
            order("f", 10, 20, zone=F, pallets=3, delivery_window=hours(0, 2)),
            order("c", 12, 18, zone=C, pallets=3, forklift=True),
        ],
    )
    plan = solve(p, time_limit_s=0.3)
    assert violations(p, plan) == []
    return p, plan


def with_route(plan: Plan, route: Route) -> Plan:
    return replace(plan, routes=(route,))


def found(p: Problem, plan: Plan, text: str) -> bool:
    return any(text in v for v in violations(p, plan))


def test_a_valid_plan_passes() -> None:
    p, plan = good()
    assert_valid(p, plan)


def test_over_capacity_compartment_is_caught() -> None:
    p, plan = good()
    smaller = replace(p, vehicles=(replace(p.vehicles[0], compartments=(2, 4)),))
    assert found(smaller, plan, "compartment 0 holds 3 pallets")


def test_frozen_and_chilled_in_one_compartment_is_caught() -> None:
    """Same plan on a single-compartment frozen body: wrong setpoints, and chilled goods cannot ride at -18."""
    p, plan = good()
    single = replace(p, vehicles=(replace(p.vehicles[0], body_type=BodyType.FROZEN, compartments=(8,)),))
    assert found(single, plan, "setpoints")
    route = replace(plan.routes[0], setpoints=(F,))
    assert found(single, with_route(plan, route), "cannot carry chilled")


def test_delivery_before_pickup_is_caught() -> None:
    p, plan = good()
    route = plan.routes[0]
    assert found(
        p, with_route(plan, replace(route, stops=tuple(reversed(route.stops)))), "before (or without) picking"
    )


def test_window_violation_is_caught() -> None:
    p, plan = good()
    tight = replace(
        p,
        orders=(
            replace(p.orders[0], delivery=replace(p.orders[0].delivery, window=hours(0, 0.1))),
            p.orders[1],
        ),
    )
    assert found(tight, plan, "outside")


def test_shift_and_duration_violations_are_caught() -> None:
    p, plan = good()
    short = replace(
        p, vehicles=(replace(p.vehicles[0], shift=hours(0, 0.3), max_route_duration=timedelta(minutes=10)),)
    )
    assert found(short, plan, "after its shift ends")
    assert found(short, plan, "route lasts")


def test_missing_forklift_is_caught() -> None:
    p, plan = good()
    no_forklift = replace(p, vehicles=(replace(p.vehicles[0], has_forklift=False),))
    assert found(no_forklift, plan, "needs a forklift")


def test_order_neither_served_nor_dropped_is_caught() -> None:
    p, plan = good()
    assert found(p, replace(plan, routes=()), "neither served nor dropped")


def test_dropped_without_reason_is_caught() -> None:
    p, plan = good()
    empty = replace(
        plan,
        routes=(),
        dropped=(
            DroppedOrder("f", DropReason.FLEET_FULLY_COMMITTED, ""),
            DroppedOrder("c", DropReason.FLEET_FULLY_COMMITTED, "x"),
        ),
    )
    assert found(p, empty, "has no reason")


def test_teleporting_truck_is_caught() -> None:
    """Arrivals faster than the travel model allows are reported."""
    p, plan = good()
    route = plan.routes[0]
    first = route.stops[0]
    early = replace(first, arrival=first.arrival - timedelta(minutes=5))
    assert found(p, with_route(plan, replace(route, stops=(early, *route.stops[1:]))), "faster than the road")


def test_wrong_leg_distance_and_load_report_are_caught() -> None:
    p, plan = good()
    route = plan.routes[0]
    assert found(p, with_route(plan, replace(route, leg_km=(99.0, *route.leg_km[1:]))), "leg 0")
    lying = replace(route.stops[0], load_after=(0, 0))
    assert found(p, with_route(plan, replace(route, stops=(lying, *route.stops[1:]))), "reports load")


def test_assert_valid_raises_with_the_violations() -> None:
    p, plan = good()
    with pytest.raises(InvalidPlan, match="neither served nor dropped"):
        assert_valid(p, replace(plan, routes=()))


def test_wrong_place_is_caught() -> None:
    p, plan = good()
    route = plan.routes[0]
    moved = replace(route.stops[0], location=at(11))
    assert found(p, with_route(plan, replace(route, stops=(moved, *route.stops[1:]))), "wrong place")
