"""An order reaches a vehicle's route through the running dispatch service, on real Kafka
and PostgreSQL: plan on request, a redelivered request, a new order inserted into the
current plan, and a breakdown that empties the vehicle's route."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import (
    Compartment,
    Depot,
    OrderAccepted,
    OrderDelivered,
    OrderPickedUp,
    OrderSpec,
    OrderStatus,
    RouteAssigned,
    SiteUpserted,
    TemperatureZone,
    VehicleRegistered,
)
from coldchain_contracts.dispatch import PlanEngine, ReportBreakdown, RequestPlan, derived_plan_id
from coldchain_contracts.topics import (
    DISPATCH_ASSIGNMENTS,
    DISPATCH_COMMANDS,
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
)
from coldchain_devtools.testing import (
    Infra,
    RunningSystem,
    dev_admin_headers,
    eventually,
    internal_auth,
    records_with_key,
)
from coldchain_dispatch.db import orders, sites, vehicles
from coldchain_dispatch.order_book import OrderBook
from coldchain_dispatch.replay import replay
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.db import make_engine

pytestmark = pytest.mark.e2e  # the running system: kept after the services' own integration tests
SEOUL = ZoneInfo("Asia/Seoul")


async def send(producer: AIOKafkaProducer, topic: str, key: str, message: Any) -> None:
    await producer.send_and_wait(topic, message.model_dump_json().encode(), key=key.encode())


def accepted(day: datetime, pickup: str, dropoff: str, number: str) -> OrderAccepted:
    def window(h0: int, h1: int) -> dict[str, Any]:
        return {"start": day + timedelta(hours=h0), "end": day + timedelta(hours=h1)}

    spec = OrderSpec.model_validate(
        {
            "order_number": number,
            "zone": "chilled",
            "pallets": 4,
            "weight_kg": 800,
            "pickup": {"site_id": pickup, "window": window(9, 12)},
            "dropoff": {"site_id": dropoff, "window": window(10, 17)},
            "requested_date": day.date().isoformat(),
        }
    )
    return OrderAccepted(
        order_id=uuid.uuid4(), order_number=number, status=OrderStatus.ACCEPTED, version=2, order=spec
    )


def routes(records: list[ConsumerRecord]) -> list[RouteAssigned]:
    return [RouteAssigned.model_validate_json(r.value) for r in records]


def stops_of(route: RouteAssigned) -> list[tuple[uuid.UUID, str, str | None]]:
    return [(s.order_id, s.kind.value, s.site_id) for s in route.stops]


async def projected(
    engine: AsyncEngine, order_id: uuid.UUID, vehicle_id: str, site_ids: tuple[str, ...]
) -> bool | None:
    async with engine.connect() as conn:
        order = (await conn.execute(select(orders.c.status).where(orders.c.order_id == order_id))).first()
        truck = (
            await conn.execute(select(vehicles.c.active).where(vehicles.c.vehicle_id == vehicle_id))
        ).first()
        places = (await conn.execute(select(sites.c.site_id).where(sites.c.site_id.in_(site_ids)))).all()
    return True if order and truck and len(places) == len(site_ids) else None


async def plan_record(client: httpx.AsyncClient, plan_id: uuid.UUID) -> dict[str, Any]:
    async def get() -> dict[str, Any] | None:
        r = await client.get(f"/v1/plans/{plan_id}")
        return r.json() if r.status_code == 200 else None

    found: dict[str, Any] = await eventually(get, 30)
    return found


async def test_an_accepted_order_reaches_the_vehicle_route_and_follows_insertions_and_breakdowns(
    running_system: RunningSystem,
    infra: Infra,
    kafka_producer: AIOKafkaProducer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tag = uuid.uuid4().hex[:8]
    vehicle, pick, drop = f"v-{tag}", f"s-{tag}-p", f"s-{tag}-d"
    # A local day a month ahead: no other test's orders share the horizon.
    # A day of its own: Kafka keeps other runs' orders, and a plan takes every open order of its horizon.
    offset = 30 + uuid.uuid4().int % 3000
    day = datetime.combine(datetime.now(SEOUL).date() + timedelta(days=offset), time(0), SEOUL)
    await send(
        kafka_producer,
        FLEET_VEHICLES.name,
        vehicle,
        VehicleRegistered(
            vehicle_id=vehicle,
            compartments=(Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=16),),
            weight_capacity_kg=8000,
            depot=Depot(latitude=37.27, longitude=127.0),
            shift_start=time(6, 0),
            shift_end=time(20, 0),
        ),
    )
    for site, lat in ((pick, 37.30), (drop, 37.50)):
        await send(
            kafka_producer,
            FLEET_SITES.name,
            site,
            SiteUpserted(site_id=site, code=site.upper(), latitude=lat, longitude=127.05),
        )
    first = accepted(day, pick, drop, f"N-{tag}-1")
    await send(kafka_producer, ORDERS_EVENTS.name, str(first.order_id), first)

    request = RequestPlan(
        plan_id=uuid.uuid4(),
        horizon_start=day,
        horizon_end=day + timedelta(days=1),
        engine=PlanEngine.GREEDY,
        time_limit_s=2,
        vehicle_ids=(vehicle,),
    )
    # The projections are separate consumers: plan once dispatch has seen vehicle and order.
    engine = make_engine(running_system.database_url)
    try:
        await eventually(lambda: projected(engine, first.order_id, vehicle, (pick, drop)), 30)
    finally:
        await engine.dispose()
    client = httpx.AsyncClient(base_url=running_system.url("dispatch"), timeout=10, headers=internal_auth())
    try:
        await send(kafka_producer, DISPATCH_COMMANDS.name, str(request.event_id), request)
        record = await plan_record(client, request.plan_id)
        assert record["status"] == "done", record
        key = vehicle.encode()
        [route] = routes(
            await records_with_key(infra.kafka, DISPATCH_ASSIGNMENTS.name, key, lambda f: len(f) >= 1, 30)
        )
        assert route.plan_id == request.plan_id
        assert route.revision == 1
        assert stops_of(route) == [(first.order_id, "pickup", pick), (first.order_id, "delivery", drop)]
        assert route.stops[0].load_after[0].pallets == 4
        assert route.stops[0].planned_arrival >= day.astimezone(UTC) + timedelta(hours=9)
        assert record["kpis"]["orders_served"] == 1
        assert record["routes"][0]["vehicle_id"] == vehicle

        # The record replays: greedy is deterministic, so the same routes come back.
        code = await replay(request.plan_id, DispatchSettings(database_url=running_system.database_url))
        assert code == 0
        assert "MATCH" in capsys.readouterr().out

        # A redelivered request does not plan again: the same messages are republished.
        await send(kafka_producer, DISPATCH_COMMANDS.name, str(request.event_id), request)
        again = routes(
            await records_with_key(infra.kafka, DISPATCH_ASSIGNMENTS.name, key, lambda f: len(f) >= 2, 30)
        )
        assert again[1].event_id == again[0].event_id
        listed = (await client.get("/v1/plans", params={"limit": 50})).json()["plans"]
        assert [p["plan_id"] for p in listed].count(str(request.plan_id)) == 1

        # Mode 2: a newly accepted order goes into the current plan.
        second = accepted(day, pick, drop, f"N-{tag}-2")
        await send(kafka_producer, ORDERS_EVENTS.name, str(second.order_id), second)
        inserted = routes(
            await records_with_key(infra.kafka, DISPATCH_ASSIGNMENTS.name, key, lambda f: len(f) >= 3, 30)
        )[2]
        assert inserted.revision == 2
        assert {s.order_id for s in inserted.stops} == {first.order_id, second.order_id}
        insertion = await plan_record(client, inserted.plan_id)
        assert (insertion["kind"], insertion["parent_plan_id"]) == ("insertion", str(request.plan_id))

        # Mode 3: the truck breaks down; with no other truck its orders are dropped.
        breakdown = ReportBreakdown(vehicle_id=vehicle, detail="gearbox")
        await send(kafka_producer, DISPATCH_COMMANDS.name, str(breakdown.event_id), breakdown)
        emptied = routes(
            await records_with_key(infra.kafka, DISPATCH_ASSIGNMENTS.name, key, lambda f: len(f) >= 4, 30)
        )[3]
        assert (emptied.revision, emptied.stops) == (3, ())
        replanned = await plan_record(client, derived_plan_id("breakdown", breakdown.event_id))
        assert replanned["plan_id"] == str(emptied.plan_id)
        assert {d["order_id"] for d in replanned["dropped"]} == {str(first.order_id), str(second.order_id)}
    finally:
        await client.aclose()


async def test_a_plan_with_no_vehicle_to_plan_is_recorded_as_failed(
    running_system: RunningSystem, kafka_producer: AIOKafkaProducer
) -> None:
    now = datetime.now(UTC)
    request = RequestPlan(
        plan_id=uuid.uuid4(),
        horizon_start=now,
        horizon_end=now + timedelta(hours=8),
        engine=PlanEngine.GREEDY,
        vehicle_ids=("no-such-vehicle",),
    )
    await send(kafka_producer, DISPATCH_COMMANDS.name, str(request.event_id), request)
    async with httpx.AsyncClient(
        base_url=running_system.url("dispatch"), timeout=10, headers=internal_auth()
    ) as client:
        record = await plan_record(client, request.plan_id)
        assert (record["status"], record["routes"]) == ("failed", [])
        assert "no vehicle" in record["error"]
        assert (await client.get(f"/v1/plans/{uuid.uuid4()}")).status_code == 404


async def test_a_dispatcher_requests_a_plan_through_the_gateway_and_reads_it_back(
    running_system: RunningSystem,
) -> None:
    admin = await dev_admin_headers(running_system.url("gateway"))
    name, password = f"disp-{uuid.uuid4().hex[:8]}", "a long passphrase 42"
    async with httpx.AsyncClient(base_url=running_system.url("gateway"), timeout=10) as gw:
        created = await gw.post(
            "/v1/admin/users",
            headers=admin,
            json={"username": name, "password": password, "role": "dispatcher"},
        )
        assert created.status_code == 201, created.text
        login = await gw.post(
            "/v1/auth/token", data={"grant_type": "password", "username": name, "password": password}
        )
        dispatcher = {"Authorization": f"Bearer {login.json()['access_token']}"}
        now = datetime.now(UTC)
        body = {
            "horizon_start": now.isoformat(),
            "horizon_end": (now + timedelta(hours=8)).isoformat(),
            "engine": "greedy",
            "vehicle_ids": ["nobody-here"],
        }
        assert (await gw.post("/v1/dispatch/plans", headers=admin, json=body)).status_code == 403
        accepted = await gw.post("/v1/dispatch/plans", headers=dispatcher, json=body)
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["status_url"]

        async def made() -> dict[str, Any] | None:
            r = await gw.get(status_url, headers=admin)
            return r.json() if r.status_code == 200 else None

        record = await eventually(made, 30)
        assert (record["plan_id"], record["status"]) == (accepted.json()["plan_id"], "failed")
        listed = await gw.get("/v1/dispatch/plans", headers=admin, params={"limit": 5})
        assert accepted.json()["plan_id"] in [p["plan_id"] for p in listed.json()["plans"]]


async def test_the_orders_projection_ignores_older_and_repeated_events(running_system: RunningSystem) -> None:
    engine = make_engine(running_system.database_url)
    book = OrderBook(engine)
    day = datetime(2026, 12, 1, tzinfo=SEOUL)
    first = accepted(day, "p", "d", "N-old")
    oid = first.order_id
    picked = OrderPickedUp(
        order_id=oid, status=OrderStatus.PICKED_UP, version=4, vehicle_id="v9", departed_at=datetime.now(UTC)
    )
    delivered = OrderDelivered(
        order_id=oid, status=OrderStatus.DELIVERED, version=5, vehicle_id="v9", departed_at=datetime.now(UTC)
    )
    try:
        assert len(await book.apply([first, picked])) == 2
        assert await book.apply([first, picked]) == [], "a redelivered batch changes nothing"
        await book.apply([delivered, first])
        row = await book.get(oid)
        assert row is not None
        assert (row.status, row.version, row.vehicle_id) == ("delivered", 5, "v9")
        assert row.spec is not None
        assert row.spec["order_number"] == "N-old"
    finally:
        await engine.dispose()
