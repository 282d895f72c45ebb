"""The planner's three modes against in-memory stand-ins for its store and order book:
what is recorded, what is published, and that nothing is planned twice."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from coldchain_contracts import ExcursionOpened, OrderSpec, RouteAssigned
from coldchain_contracts.dispatch import PlanEngine, ReportBreakdown, RequestPlan, derived_plan_id
from coldchain_dispatch.order_book import OrderBook, OrderRow
from coldchain_dispatch.plan_store import Inputs, PlanStore
from coldchain_dispatch.planner import Planner
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.component
SEOUL = ZoneInfo("Asia/Seoul")
DAY = datetime(2026, 12, 1, tzinfo=SEOUL)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # the evening before (Seoul)


class FakeStore:
    def __init__(self, inputs: Inputs) -> None:
        self._inputs = inputs
        self.plans: dict[uuid.UUID, dict[str, Any]] = {}
        self.revs: dict[str, int] = {}

    async def inputs(self) -> Inputs:
        return self._inputs

    async def sites(self) -> dict[str, Mapping[str, Any]]:
        return {s["site_id"]: s for s in self._inputs.sites}

    async def position(self, vehicle_id: str) -> None:
        return None

    async def get(self, plan_id: uuid.UUID) -> dict[str, Any] | None:
        return self.plans.get(plan_id)

    async def current(self) -> dict[str, Any] | None:
        done = [p for p in self.plans.values() if p["status"] == "done"]
        return done[-1] if done else None

    async def revisions(self, vehicle_ids: Sequence[str]) -> dict[str, int]:
        return {v: self.revs[v] for v in vehicle_ids if v in self.revs}

    async def save(self, record: dict[str, Any]) -> bool:
        if record["plan_id"] in self.plans:
            return False
        self.plans[record["plan_id"]] = record
        for a in record.get("assignments") or []:
            self.revs[a["vehicle_id"]] = a["revision"]
        return True


class FakeOrders:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, OrderRow] = {}

    async def get(self, order_id: uuid.UUID) -> OrderRow | None:
        return self.rows.get(order_id)


def spec(zone: str = "chilled") -> dict[str, Any]:
    def window(h0: int, h1: int) -> dict[str, str]:
        return {
            "start": (DAY + timedelta(hours=h0)).isoformat(),
            "end": (DAY + timedelta(hours=h1)).isoformat(),
        }

    return OrderSpec.model_validate(
        {
            "order_number": "N",
            "zone": zone,
            "pallets": 2,
            "weight_kg": 100,
            "pickup": {"latitude": 37.30, "longitude": 127.0, "window": window(9, 12)},
            "dropoff": {"latitude": 37.40, "longitude": 127.0, "window": window(10, 17)},
            "requested_date": "2026-12-01",
        }
    ).model_dump(mode="json")


VEHICLE = {
    "vehicle_id": "v1",
    "body_type": "chilled",
    "compartments": [{"channel": "A", "zone": "chilled", "pallets": 10}],
    "weight_capacity_kg": 5000.0,
    "forklift": False,
    "depot_latitude": 37.27,
    "depot_longitude": 127.0,
    "shift_start": time(6),
    "shift_end": time(20),
    "max_route_minutes": None,
    "active": True,
}


@pytest.fixture
def world() -> tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]]:
    first = {"order_id": uuid.uuid4(), "status": "accepted", "version": 2, "spec": spec(), "vehicle_id": None}
    store = FakeStore(Inputs(vehicles=[VEHICLE], sites=[], positions=[], orders=[first]))
    orders = FakeOrders()
    published: list[RouteAssigned] = []

    async def publish(messages: Sequence[Outgoing]) -> None:
        published.extend(RouteAssigned.model_validate_json(m.value) for m in messages)

    planner = Planner(
        cast(PlanStore, store),
        cast(OrderBook, orders),
        publish,
        # Background re-optimisation is tested on its own; solves run in a thread here
        # (a spawned solver process per test costs seconds), in a process below.
        DispatchSettings(reoptimise_time_limit_s=0, solve_in_process=False),
        clock=lambda: NOW,
    )
    return planner, store, orders, published


async def test_the_optimiser_solves_in_a_separate_process(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    """The service's default: the engine portfolio in a spawned worker, the loop never blocked."""
    _, store, orders, published = world

    async def publish(messages: Sequence[Outgoing]) -> None:
        published.extend(RouteAssigned.model_validate_json(m.value) for m in messages)

    planner = Planner(
        cast(PlanStore, store), cast(OrderBook, orders), publish, DispatchSettings(reoptimise_time_limit_s=0),
        clock=lambda: NOW,
    )  # fmt: skip
    try:
        command = request().model_copy(update={"engine": PlanEngine.OPTIMISER, "time_limit_s": 1})
        await planner.request(command, None)
    finally:
        planner.close()
    [route] = published
    assert (route.vehicle_id, len(route.stops)) == ("v1", 2)
    assert store.plans[command.plan_id]["status"] == "done"


def request() -> RequestPlan:
    return RequestPlan(
        plan_id=uuid.uuid4(), horizon_start=DAY, horizon_end=DAY + timedelta(days=1), engine=PlanEngine.GREEDY
    )


async def test_a_request_is_planned_once_and_republished_on_redelivery(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, published = world
    command = request()
    await planner.request(command, None)
    [route] = published
    assert (route.vehicle_id, route.revision, len(route.stops)) == ("v1", 1, 2)
    record = store.plans[command.plan_id]
    assert (record["status"], record["kpis"]["orders_served"], record["dropped"]) == ("done", 1, [])
    assert record["settings"]["time_limit_s"] == 10.0
    await planner.request(command, None)
    assert len(store.plans) == 1
    assert published[1] == route, "the stored message, same event id"


async def test_the_time_limit_is_capped(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, _ = world
    command = request().model_copy(update={"time_limit_s": 600})
    await planner.request(command, None)
    settings = store.plans[command.plan_id]["settings"]
    assert (settings["time_limit_s"], settings["requested_time_limit_s"]) == (60.0, 600)


async def test_an_order_that_fits_is_inserted_and_one_that_cannot_is_recorded_as_dropped(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, orders, published = world
    await planner.request(request(), None)
    fits, frozen = uuid.uuid4(), uuid.uuid4()
    orders.rows[fits] = OrderRow(fits, "accepted", 2, spec(), None, NOW)
    orders.rows[frozen] = OrderRow(frozen, "accepted", 2, spec("frozen"), None, NOW)

    event = uuid.uuid4()
    await planner.order_accepted(fits, event, None)
    inserted = published[-1]
    assert (inserted.revision, len(inserted.stops)) == (2, 4)
    assert inserted.plan_id == derived_plan_id("insertion", event)
    assert store.plans[inserted.plan_id]["kind"] == "insertion"

    event = uuid.uuid4()
    await planner.order_accepted(frozen, event, None)
    assert len(published) == 2, "nothing to publish for an order that fits nowhere"
    record = store.plans[derived_plan_id("insertion", event)]
    assert [(d["order_id"], d["reason"]) for d in record["dropped"]] == [
        (str(frozen), "no_compatible_vehicle")
    ]

    await planner.order_accepted(fits, uuid.uuid4(), None)
    assert len(store.plans) == 3, "an order the current plan already has is not inserted again"


async def test_a_breakdown_empties_the_route_and_without_a_plan_is_a_failed_record(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, published = world
    early = ReportBreakdown(vehicle_id="v1")
    await planner.breakdown(early, None)
    failed = store.plans[derived_plan_id("breakdown", early.event_id)]
    assert (failed["status"], failed["error"]) == ("failed", "no current plan to re-plan")
    assert published == []

    await planner.request(request(), None)
    report = ReportBreakdown(vehicle_id="v1", detail="gearbox")
    await planner.breakdown(report, None)
    emptied = published[-1]
    assert (emptied.vehicle_id, emptied.revision, emptied.stops) == ("v1", 2, ())
    record = store.plans[derived_plan_id("breakdown", report.event_id)]
    assert record["status"] == "done"
    assert len(record["dropped"]) == 1, "no other truck: the order is dropped, with its reason"


@pytest.mark.parametrize("engine", [PlanEngine.OPTIMISER, PlanEngine.GREEDY])
async def test_both_engines_plan_and_a_day_without_orders_gives_empty_routes(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]], engine: PlanEngine
) -> None:
    planner, store, _, published = world
    command = request().model_copy(update={"engine": engine, "time_limit_s": 1})
    await planner.request(command, None)
    assert store.plans[command.plan_id]["kpis"]["orders_served"] == 1
    store._inputs = Inputs(vehicles=[VEHICLE], sites=[], positions=[], orders=[])
    empty = request().model_copy(update={"engine": engine, "time_limit_s": 1})
    await planner.request(empty, None)
    assert store.plans[empty.plan_id]["status"] == "done", store.plans[empty.plan_id].get("error")
    assert (published[-1].revision, published[-1].stops) == (2, ())


async def test_inconsistent_projections_make_a_failed_record_not_a_retry_loop(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, published = world
    order = {
        "order_id": uuid.uuid4(),
        "status": "picked_up",
        "version": 5,
        "spec": spec(),
        "vehicle_id": "v1",
    }
    # The same order twice (a projection cannot hold that, but the planner must not loop on it).
    store._inputs = Inputs(vehicles=[VEHICLE], sites=[], positions=[], orders=[order, order])
    command = request()
    await planner.request(command, None)
    record = store.plans[command.plan_id]
    assert record["status"] == "failed"
    assert "cannot assemble" in record["error"]
    assert published == []


async def test_a_temperature_excursion_re_plans_the_vehicle_like_a_breakdown(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, published = world
    elsewhere = ExcursionOpened(
        vehicle_id="not-planned", at=NOW, excursion_id=uuid.uuid4(), channel="A", started_at=NOW, celsius=9.0
    )
    await planner.excursion(elsewhere, None)
    assert (published, store.plans) == ([], {}), "a vehicle on no plan: nothing to move"

    await planner.request(request(), None)
    excursion = ExcursionOpened(
        vehicle_id="v1", at=NOW, excursion_id=uuid.uuid4(), channel="A", started_at=NOW, celsius=9.0
    )
    await planner.excursion(excursion, None)
    emptied = published[-1]
    assert (emptied.vehicle_id, emptied.stops) == ("v1", ())
    record = store.plans[derived_plan_id("breakdown", excursion.event_id)]
    assert (record["kind"], record["status"]) == ("breakdown", "done")
    assert "excursion" in record["settings"]["detail"]
    await planner.excursion(excursion, None)  # redelivered
    assert len(store.plans) == 2, "one re-plan per excursion"


async def test_background_re_optimisation_publishes_nothing_when_it_finds_nothing_shorter(
    world: tuple[Planner, FakeStore, FakeOrders, list[RouteAssigned]],
) -> None:
    planner, store, _, published = world
    assert await planner.reoptimise_current() is False, "no plan yet"
    await planner.request(request(), None)
    count = len(published)
    planner._settings = DispatchSettings(reoptimise_time_limit_s=0.5)
    assert await planner.reoptimise_current() is False
    assert (len(published), len(store.plans)) == (count, 1)
