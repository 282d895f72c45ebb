"""Problem assembly from projection rows, the orders projection's transitions, the plan
record's codec and the RouteAssigned messages: the service's pure parts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from coldchain_benchkit.examples import order as line_order
from coldchain_benchkit.examples import problem as line_problem
from coldchain_benchkit.examples import vehicle as line_vehicle
from coldchain_contracts import OrderSpec, OrderStatus
from coldchain_contracts.orders import OrderAccepted, OrderAmended, OrderDelivered, OrderPickedUp
from coldchain_dispatch import codec
from coldchain_dispatch.assembly import Meta, assemble, local_shift
from coldchain_dispatch.assignments import route_messages
from coldchain_dispatch.order_book import next_row
from coldchain_dispatch.planning import solve
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import GeoPoint, StopKind
from coldchain_dispatch.planning.validate import violations
from coldchain_dispatch.replay import compare

pytestmark = pytest.mark.unit
SEOUL = ZoneInfo("Asia/Seoul")
DAY = datetime(2026, 11, 27, 0, 0, tzinfo=SEOUL)  # horizon: the local day
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def vehicle_row(vid: str = "v1", **over: Any) -> dict[str, Any]:
    row = {
        "vehicle_id": vid,
        "body_type": "chilled",
        "compartments": [{"channel": "A", "zone": "chilled", "pallets": 10}],
        "weight_capacity_kg": 5000.0,
        "forklift": False,
        "depot_latitude": 37.27,
        "depot_longitude": 127.0,
        "depot_site_id": None,
        "shift_start": time(6, 0),
        "shift_end": time(18, 0),
        "max_route_minutes": 600,
        "cost_per_km": None,
        "active": True,
    }
    return {**row, **over}


def site_row(sid: str, lat: float, lon: float, **over: Any) -> dict[str, Any]:
    row = {
        "site_id": sid,
        "latitude": lat,
        "longitude": lon,
        "loading_minutes": 20,
        "unloading_minutes": 40,
        "forklift": "none",
        "active": True,
    }
    return {**row, **over}


def spec(**over: Any) -> dict[str, Any]:
    window = {"start": "2026-11-27T00:00:00Z", "end": "2026-11-27T06:00:00Z"}  # 09:00-15:00 Seoul
    body = {
        "order_number": "N1",
        "zone": "chilled",
        "pallets": 3,
        "weight_kg": 300,
        "pickup": {"site_id": "s-pick", "window": window},
        "dropoff": {"site_id": "s-drop", "window": window, "service_minutes": 15},
        "requested_date": "2026-11-27",
    }
    return OrderSpec.model_validate({**body, **over}).model_dump(mode="json")


def order_row(status: str = "accepted", vehicle: str | None = None, **over: Any) -> dict[str, Any]:
    return {
        "order_id": uuid.uuid4(),
        "status": status,
        "version": 2,
        "spec": spec(**over),
        "vehicle_id": vehicle,
    }


SITES = [site_row("s-pick", 37.3, 127.05, forklift="required"), site_row("s-drop", 37.5, 127.1)]


def build(
    vehicles: list[dict[str, Any]],
    orders: list[dict[str, Any]],
    positions: tuple[dict[str, Any], ...] = (),
    now: datetime = NOW,
    **kw: Any,
) -> Any:
    return assemble(
        vehicles=vehicles,
        sites=SITES,
        positions=positions,
        orders=orders,
        horizon_start=DAY,
        horizon_end=DAY + timedelta(days=1),
        now=now,
        tz=SEOUL,
        position_max_age=timedelta(minutes=15),
        **kw,
    )


def test_shift_is_local_time_on_the_horizon_day_and_may_cross_midnight() -> None:
    w = local_shift(date(2026, 11, 27), time(6), time(18), SEOUL)
    assert w.start == datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
    assert w.end == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    night = local_shift(date(2026, 11, 27), time(22), time(6), SEOUL)
    assert night.end - night.start == timedelta(hours=8)


def test_sites_give_coordinates_service_times_and_forklift_needs() -> None:
    row = order_row()
    a = build([vehicle_row()], [row])
    [o] = a.problem.orders
    assert o.order_id == str(row["order_id"])
    assert (o.pickup.location.lat, o.delivery.location.lon) == (37.3, 127.1)
    assert o.pickup.service == timedelta(minutes=20), "the site's loading minutes"
    assert o.delivery.service == timedelta(minutes=15), "the order's own minutes win"
    assert o.pickup.requires_forklift
    assert not o.delivery.requires_forklift
    assert a.meta.sites[o.order_id] == ["s-pick", "s-drop"]
    assert a.meta.channels == {"v1": ["A"]}


def test_vehicles_without_depot_or_shift_and_orders_at_unknown_sites_are_left_out_with_reasons() -> None:
    bad_order = order_row(dropoff={"site_id": "nowhere", "window": spec()["dropoff"]["window"]})
    later = order_row(
        pickup={
            "latitude": 37.0,
            "longitude": 127.0,
            "window": {"start": "2026-11-29T00:00:00Z", "end": "2026-11-29T01:00:00Z"},
        }
    )
    a = build(
        [
            vehicle_row("ok"),
            vehicle_row("no-depot", depot_latitude=None),
            vehicle_row("no-shift", shift_end=None),
            vehicle_row("off", active=False),
        ],
        [bad_order, later],
    )
    assert [v.vehicle_id for v in a.problem.vehicles] == ["ok"]
    assert a.excluded_vehicles == {"no-depot": "no depot", "no-shift": "no shift"}
    assert "nowhere" in a.excluded_orders[str(bad_order["order_id"])]
    assert a.problem.orders == (), "an order outside the horizon is simply not planned now"


def test_a_dual_body_plans_frozen_first_and_a_fresh_position_is_the_start() -> None:
    dual = vehicle_row(
        body_type="dual",
        compartments=[
            {"channel": "B", "zone": "chilled", "pallets": 6},
            {"channel": "A", "zone": "frozen", "pallets": 4},
        ],
    )
    inside_shift = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 Seoul
    fresh = {
        "vehicle_id": "v1",
        "device_time": inside_shift - timedelta(minutes=5),
        "latitude": 37.4,
        "longitude": 127.2,
    }
    [v] = build([dual], [], (fresh,), now=inside_shift).problem.vehicles
    assert v.compartments == (4, 6)
    assert (v.start, v.available_from) == (GeoPoint(37.4, 127.2), inside_shift)
    stale = {**fresh, "device_time": inside_shift - timedelta(hours=1)}
    [v] = build([dual], [], (stale,), now=inside_shift).problem.vehicles
    assert v.start is None
    assert v.available_from is None


def test_picked_up_orders_are_on_board_their_vehicle() -> None:
    carried = order_row(status="picked_up", vehicle="v1")
    elsewhere = order_row(status="picked_up", vehicle="gone")
    a = build([vehicle_row()], [carried, elsewhere])
    assert a.problem.vehicles[0].onboard == (str(carried["order_id"]),)
    assert "not planned" in a.excluded_orders[str(elsewhere["order_id"])]


def test_order_projection_keeps_the_latest_version_and_remembers_the_vehicle() -> None:
    oid = uuid.uuid4()
    s = OrderSpec.model_validate(spec())
    accepted = next_row(None, OrderAccepted(order_id=oid, status=OrderStatus.ACCEPTED, version=2, order=s))
    assert accepted is not None
    assert accepted.spec is not None
    assert accepted.status == "accepted"
    picked = next_row(
        accepted,
        OrderPickedUp(
            order_id=oid, status=OrderStatus.PICKED_UP, version=4, vehicle_id="v9", departed_at=NOW
        ),
    )
    assert picked is not None
    assert (picked.vehicle_id, picked.spec) == ("v9", accepted.spec)
    old = OrderAmended(
        order_id=oid, status=OrderStatus.ACCEPTED, version=3, order=s.model_copy(update={"pallets": 9})
    )
    assert next_row(picked, old) is None, "an older event changes nothing"
    done = next_row(
        picked,
        OrderDelivered(
            order_id=oid, status=OrderStatus.DELIVERED, version=5, vehicle_id="v9", departed_at=NOW
        ),
    )
    assert done is not None
    assert done.status == "delivered"


def test_problem_and_plan_survive_the_record_and_become_route_messages() -> None:
    p = line_problem(
        [line_vehicle("west"), line_vehicle("east", depot_km=100)],
        [line_order(str(uuid.uuid4()), 10, 20), line_order(str(uuid.uuid4()), 90, 80)],
    )
    plan = solve(p, time_limit_s=1, method="greedy")
    back = codec.decode_problem(codec.encode_problem(p))
    assert back == p
    again = codec.decode_plan(
        codec.encode_routes(plan), codec.encode_dropped(plan), codec.encode_stats(plan.stats)
    )
    assert again == plan
    assert violations(back, again) == []

    first = p.orders[0].order_id
    meta = Meta(channels={"west": ["A"], "east": ["A"]}, sites={first: ["s1", "s2"]})
    plan_id, cause = uuid.uuid4(), uuid.uuid4()
    messages = route_messages(
        plan,
        plan_id=plan_id,
        vehicle_ids=["west", "east", "idle"],
        revisions={"west": 4},
        meta=meta,
        causation_id=cause,
    )
    by_vehicle = {m.vehicle_id: m for m in messages}
    assert [by_vehicle[v].revision for v in ("west", "east", "idle")] == [5, 1, 1]
    assert by_vehicle["idle"].stops == ()
    west = by_vehicle["west"]
    assert [(str(s.order_id), s.kind.value, s.site_id) for s in west.stops] == [
        (first, "pickup", "s1"),
        (first, "delivery", "s2"),
    ]
    assert west.stops[0].load_after[0].pallets == 2
    assert west.stops[1].load_after[0].pallets == 0
    assert west.stops[0].load_after[0].compartment == "A"
    route = plan.route("west")
    assert west.total_km == round(route.distance_km, 3)
    assert all(s.kind is StopKind.PICKUP or s.kind is StopKind.DELIVERY for s in route.stops)


def test_replay_comparison_reports_kpi_differences() -> None:
    p = line_problem([line_vehicle("west")], [line_order(str(uuid.uuid4()), 10, 20)])
    plan = solve(p, time_limit_s=1, method="greedy")
    k = kpis(p, plan).as_dict()
    record = {"routes": codec.encode_routes(plan), "dropped": codec.encode_dropped(plan), "kpis": k}
    assert compare(record, plan, k)[0]
    worse = {**k, "total_km": k["total_km"] + 5}  # type: ignore[operator]
    same, lines = compare({**record, "routes": []}, plan, worse)
    assert not same
    assert any("total_km" in line for line in lines)


def test_a_vehicle_is_planned_only_on_its_shift_weekdays() -> None:
    """The horizon's first local day decides: DAY is a Friday in Seoul (weekday 4)."""
    assert DAY.astimezone(SEOUL).weekday() == 4
    a = build(
        [
            vehicle_row("weekdays", shift_weekdays=[0, 1, 2, 3, 4]),
            vehicle_row("weekend", shift_weekdays=[5, 6]),
            vehicle_row("every-day", shift_weekdays=None),
        ],
        [],
    )
    assert sorted(v.vehicle_id for v in a.problem.vehicles) == ["every-day", "weekdays"]
    assert a.excluded_vehicles == {"weekend": "no shift on Fridays"}
