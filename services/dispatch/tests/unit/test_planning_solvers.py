"""Both planners on tiny instances: one property per test, every plan checked independently."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coldchain_benchkit.examples import hours, order, problem, vehicle
from coldchain_benchkit.scenario import generate
from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning import Method, solve
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import DropReason, Order, Plan, Problem, StopKind
from coldchain_dispatch.planning.validate import violations

pytestmark = pytest.mark.unit
F, C, A = TemperatureZone.FROZEN, TemperatureZone.CHILLED, TemperatureZone.AMBIENT
METHODS: list[Method] = ["portfolio", "ortools", "greedy"]


def plan_of(p: Problem, method: Method = "ortools") -> Plan:
    plan = solve(p, time_limit_s=0.3, seed=0, method=method)
    assert violations(p, plan) == []
    return plan


def reasons(plan: Plan) -> dict[str, DropReason]:
    return {d.order_id: d.reason for d in plan.dropped}


def test_optimiser_finds_the_known_optimum_of_two_nested_orders() -> None:
    """Depot at 0; a: 10 -> 20, b: 12 -> 18. Optimum is one sweep 0-10-12-18-20-0 = 40 km."""
    p = problem([vehicle("v1")], [order("a", 10, 20), order("b", 12, 18)])
    plan = plan_of(p)
    assert plan.route("v1").distance_km == pytest.approx(40.0, abs=0.01)
    assert [(s.order_id, s.kind) for s in plan.route("v1").stops] == [
        ("a", StopKind.PICKUP),
        ("b", StopKind.PICKUP),
        ("b", StopKind.DELIVERY),
        ("a", StopKind.DELIVERY),
    ]


@pytest.mark.parametrize("method", METHODS)
def test_dual_zone_compartments_are_separate_capacities(method: Method) -> None:
    """A dual body (4 frozen + 4 chilled) never holds more than 4 frozen pallets, even with chilled room free."""
    truck = vehicle("v1", body=BodyType.DUAL, compartments=(4, 4))
    p = problem([truck], [order("f1", 10, 20, zone=F, pallets=3), order("f2", 10, 20, zone=F, pallets=3)])
    plan = plan_of(p, method)
    assert max(s.load_after[0] for s in plan.route("v1").stops) <= 4
    assert plan.served_order_ids == {"f1", "f2"}  # one after the other


@pytest.mark.parametrize("method", METHODS)
def test_dual_zone_truck_carries_frozen_and_chilled_at_once(method: Method) -> None:
    """Both compartments loaded at the same time: 3 frozen in A, 3 chilled in B."""
    truck = vehicle("v1", body=BodyType.DUAL, compartments=(4, 4))
    p = problem([truck], [order("f", 10, 20, zone=F, pallets=3), order("c", 10, 20, zone=C, pallets=3)])
    plan = plan_of(p, method)
    assert (3, 3) in [s.load_after for s in plan.route("v1").stops]


@pytest.mark.parametrize("method", METHODS)
def test_frozen_goods_never_go_on_chilled_or_ambient_bodies(method: Method) -> None:
    """No body that can hold -18 °C: the order is dropped as no_compatible_vehicle."""
    p = problem(
        [vehicle("c", body=BodyType.CHILLED), vehicle("a", body=BodyType.AMBIENT)],
        [order("f", 10, 20, zone=F)],
    )
    assert reasons(plan_of(p, method)) == {"f": DropReason.NO_COMPATIBLE_VEHICLE}


@pytest.mark.parametrize("method", METHODS)
def test_frozen_body_at_chilled_setpoint_carries_chilled_goods(method: Method) -> None:
    """With only chilled demand, the frozen body is set to chilled and serves it."""
    p = problem([vehicle("v1", body=BodyType.FROZEN)], [order("c", 10, 20, zone=C)])
    plan = plan_of(p, method)
    assert plan.route("v1").setpoints == (C,)
    assert plan.served_order_ids == {"c"}


@pytest.mark.parametrize("method", METHODS)
def test_single_compartment_reefer_never_mixes_frozen_and_chilled(method: Method) -> None:
    """One frozen body, one frozen and one chilled order: one setpoint for the route, the other order dropped."""
    p = problem(
        [vehicle("v1", body=BodyType.FROZEN)], [order("f", 10, 20, zone=F), order("c", 10, 20, zone=C)]
    )
    plan = plan_of(p, method)
    route = plan.route("v1")
    assert len(route.setpoints) == 1
    zones = {p.order(s.order_id).zone for s in route.stops}
    assert zones == {route.setpoints[0]}
    assert [d.reason for d in plan.dropped] == [DropReason.SETPOINT_IN_USE]


@pytest.mark.parametrize("method", METHODS)
def test_ambient_goods_ride_on_any_body(method: Method) -> None:
    """Ambient goods may share a frozen compartment: both orders on the one truck."""
    p = problem(
        [vehicle("v1", body=BodyType.FROZEN)], [order("f", 10, 20, zone=F), order("a", 10, 20, zone=A)]
    )
    assert plan_of(p, method).served_order_ids == {"f", "a"}


@pytest.mark.parametrize("method", METHODS)
def test_forklift_site_gets_a_forklift_driver(method: Method) -> None:
    """The nearer truck has no forklift; the site needs one, so the farther truck goes."""
    p = problem(
        [vehicle("near", depot_km=10), vehicle("far", depot_km=40, forklift=True)],
        [order("o", 11, 12, forklift=True)],
    )
    plan = plan_of(p, method)
    assert [s.order_id for s in plan.route("far").stops] == ["o", "o"]
    assert plan.route("near").stops == ()


@pytest.mark.parametrize("method", METHODS)
def test_forklift_site_without_any_forklift_is_dropped(method: Method) -> None:
    p = problem([vehicle("v1")], [order("o", 11, 12, forklift=True)])
    assert reasons(plan_of(p, method)) == {"o": DropReason.NO_COMPATIBLE_VEHICLE}


@pytest.mark.parametrize("method", METHODS)
def test_service_starts_inside_both_windows(method: Method) -> None:
    """Pick-up 10 km away opens at +1 h: the truck waits; delivery window +2..+3 h is met."""
    o = order("o", 10, 20, pickup_window=hours(1, 1.5), delivery_window=hours(2, 3), service_min=15)
    plan = plan_of(problem([vehicle("v1")], [o]), method)
    pick, drop = plan.route("v1").stops
    assert hours(1, 1.5).start <= pick.service_start <= hours(1, 1.5).end
    assert hours(2, 3).start <= drop.service_start <= hours(2, 3).end
    assert drop.arrival >= pick.departure + timedelta(minutes=10)


@pytest.mark.parametrize("method", METHODS)
def test_unreachable_window_is_dropped_with_reason(method: Method) -> None:
    """The delivery 60 km away must start within 30 min of the shift: impossible at 60 km/h."""
    o = order("o", 0, 60, pickup_window=hours(0, 0.1), delivery_window=hours(0, 0.5))
    assert reasons(plan_of(problem([vehicle("v1")], [o]), method)) == {
        "o": DropReason.TIME_WINDOW_UNREACHABLE
    }


@pytest.mark.parametrize("method", METHODS)
def test_shift_end_and_max_duration_bound_the_route(method: Method) -> None:
    """A 100 km round trip takes 100 min; a 90 min shift or a 1 h max duration cannot do it."""
    short_shift = vehicle("s", shift=hours(0, 1.5))
    short_day = vehicle("d", max_hours=1.0)
    for truck in (short_shift, short_day):
        p = problem([truck], [order("o", 25, 50)])
        assert reasons(plan_of(p, method)) == {"o": DropReason.TIME_WINDOW_UNREACHABLE}


@pytest.mark.parametrize("method", METHODS)
def test_order_bigger_than_every_truck_is_dropped_as_such(method: Method) -> None:
    p = problem([vehicle("v1", compartments=(8,))], [order("big", 10, 20, pallets=12)])
    assert reasons(plan_of(p, method)) == {"big": DropReason.EXCEEDS_VEHICLE_CAPACITY}


def test_priority_decides_what_is_dropped_when_not_everything_fits() -> None:
    """Room (and time) for one 10-pallet order: the priority 1 order is kept, priority 9 dropped."""
    window = hours(0, 0.25)  # pick-up by +15 min: a second trip back to 10 km comes at +30 min
    p = problem(
        [vehicle("v1", compartments=(10,))],
        [
            order("low", 10, 20, pallets=10, priority=9, pickup_window=window, delivery_window=hours(0, 1)),
            order("high", 10, 20, pallets=10, priority=1, pickup_window=window, delivery_window=hours(0, 1)),
        ],
    )
    plan = plan_of(p)
    assert plan.served_order_ids == {"high"}
    assert reasons(plan) == {"low": DropReason.FLEET_FULLY_COMMITTED}


@pytest.mark.parametrize("method", METHODS)
def test_vehicle_starts_at_its_live_position_and_delivers_what_it_carries(method: Method) -> None:
    """On the road at 30 km with order x on board: delivers x at 40, then returns to its depot at 0."""
    p = problem([vehicle("v1", start_km=30, onboard=("x",))], [order("x", 5, 40, pallets=4)])
    route = plan_of(p, method).route("v1")
    assert [(s.order_id, s.kind) for s in route.stops] == [("x", StopKind.DELIVERY)]
    assert route.stops[0].load_after == (0,)
    assert route.leg_km == pytest.approx((10.0, 40.0), abs=0.01)


def test_greedy_gives_the_order_to_the_nearest_feasible_vehicle() -> None:
    """Trucks at 0 and 50; pick-up at 48: the truck at 50 takes it."""
    p = problem([vehicle("west"), vehicle("east", depot_km=50)], [order("o", 48, 45)])
    plan = plan_of(p, "greedy")
    assert plan.route("east").stops
    assert not plan.route("west").stops


def test_greedy_skips_the_nearest_vehicle_when_it_cannot_fit() -> None:
    """The nearest truck is too small; the next nearest compatible one takes the order."""
    p = problem(
        [vehicle("small", depot_km=48, compartments=(2,)), vehicle("big", depot_km=0)],
        [order("o", 48, 45, pallets=6)],
    )
    assert plan_of(p, "greedy").route("big").stops


@pytest.mark.parametrize("mode", ["metro", "linehaul"])
@pytest.mark.parametrize("method", METHODS)
def test_seeded_scenario_plans_are_valid_and_account_for_every_order(mode: str, method: Method) -> None:
    """A small generated day: the validator finds nothing, every order served or dropped with a reason."""
    p = generate(mode, seed=3, vehicles=6, orders=30)  # type: ignore[arg-type]
    plan = plan_of(p, method)
    assert len(plan.served_order_ids) + len(plan.dropped) == 30
    assert plan.served_order_ids


def test_optimiser_is_no_worse_than_greedy_on_a_small_day() -> None:
    """It starts from the greedy plan and only accepts improvements of km plus drop penalties."""
    p = generate("metro", seed=5, vehicles=5, orders=25)
    greedy, best = kpis(p, plan_of(p, "greedy")), kpis(p, plan_of(p, "ortools"))
    assert best.orders_served >= greedy.orders_served
    if best.orders_served == greedy.orders_served:
        assert best.total_km <= greedy.total_km + 1e-6


def test_only_the_most_important_waiting_orders_enter_the_search() -> None:
    """Room for one order: greedy takes the first to open; of the two waiting, only the
    priority-1 one stays in the search (one slot), the priority-5 one is left out and
    reported as fleet_fully_committed."""
    from coldchain_dispatch.planning.greedy import greedy_sequences
    from coldchain_dispatch.planning.instance import build
    from coldchain_dispatch.planning.ortools_solver import _left_out, solve_ortools

    def tight(oid: str, priority: int, opens: float) -> Order:
        return order(
            oid,
            10,
            20,
            pallets=10,
            priority=priority,
            pickup_window=hours(opens, 0.25),
            delivery_window=hours(0, 1),
        )

    p = problem([vehicle("v1")], [tight("early", 9, 0.0), tight("mid", 5, 0.05), tight("vip", 1, 0.1)])
    inst = build(p)
    start = greedy_sequences(inst)
    assert _left_out(inst, start, 1) == {"mid"}
    assert _left_out(inst, start, 2) == set()
    plan = solve_ortools(p, time_limit_s=0.3, max_waiting=1)
    assert violations(p, plan) == []
    assert reasons(plan)["mid"] is DropReason.FLEET_FULLY_COMMITTED


def test_the_optimiser_plans_through_the_portfolio_and_pyvrp_runs() -> None:
    """The service's default method is the engine portfolio; on a day it can express, PyVRP plans."""
    p = generate("metro", seed=4, vehicles=5, orders=25)
    plan = plan_of(p, "portfolio")
    assert plan.stats.method == "pyvrp"
    greedy = kpis(p, plan_of(p, "greedy"))
    assert kpis(p, plan).orders_served >= greedy.orders_served
