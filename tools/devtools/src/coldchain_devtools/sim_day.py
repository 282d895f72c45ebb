"""One simulated operating day through a running system's public doors.

Seed the operator (admin API, dispatcher, sites, vehicles bound to the simulator's
devices), place the day's orders, request one plan with the chosen engine, then drive the
day in compressed time (`sim_pacing`): every simulated step each truck posts a fix to the
gateway, following the routes it reads from `dispatch.assignments.v1` as a downstream
system would. What happened is then read back through the gateway (`sim_day_report`).

The simulated day lies in the future (docs/architecture.md, "Simulated days run ahead of
the clock"): its orders are placed before it starts, as a dispatcher does the day before,
and its device times run ahead of the wall clock, within the look-ahead `sim_system` gives
ingest.
"""

from __future__ import annotations

import asyncio
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from coldchain_devtools import sim_fleet, sim_orders
from coldchain_devtools.sim_day_orders import day_orders
from coldchain_devtools.sim_pacing import Pacing
from coldchain_devtools.sim_seed import _admin, _dispatcher, _put_all, send
from coldchain_devtools.simulator import DEV_INGEST_KEY, Truck, follow_assignments, make_fleet
from coldchain_servicekit.geo import haversine_m

SEOUL = sim_orders.SEOUL
OPEN = ("accepted", "planned", "assigned", "picked_up")
HIGHWAY_KMH = 80.0  # dispatch's default speed profile past a leg's first 30 km


@dataclass(frozen=True)
class DaySpec:
    day: date
    trucks: int = 20
    orders: int = 150
    seed: int = 1
    speed: float = 300.0
    """Simulated seconds per wall second, at most."""
    step_s: float = 30.0
    """Simulated seconds between two fixes of a truck."""
    start: time = time(5, 30)
    end: time = time(22, 0)
    time_limit_s: float = 20.0
    max_lag_s: float = 900.0
    """The simulation waits while tracking's newest state is this many simulated seconds behind."""

    def at(self, clock: time) -> datetime:
        return datetime.combine(self.day, clock, SEOUL)


@dataclass
class DayRun:
    """What one run saw, read back through the gateway at its end."""

    engine: str
    spec: DaySpec
    placed: int = 0
    plan: dict[str, Any] = field(default_factory=dict)
    plan_latency_s: float = 0.0
    plan_attempts: int = 0
    warmup_latency_s: float = 0.0
    """A first, empty plan starts dispatch's solver process, so the day's plan is timed warm."""
    orders: list[dict[str, Any]] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)
    fixes: int = 0
    failed_posts: int = 0
    simulated_until: datetime | None = None
    drive_wall_s: float = 0.0


def tomorrow() -> date:
    return datetime.now(SEOUL).date() + timedelta(days=1)


async def _pages(
    client: httpx.AsyncClient, path: str, auth: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = await send(
            client, "GET", path, headers=auth, params={**params, "limit": 500, "offset": len(items)}
        )
        response.raise_for_status()
        body = response.json()
        items += body["items"]
        if not body["items"] or len(items) >= body["total"]:
            return items


async def day_orders_of(client: httpx.AsyncClient, auth: dict[str, str], day: date) -> list[dict[str, Any]]:
    return await _pages(client, "/v1/orders", auth, date=day.isoformat())


async def _place(client: httpx.AsyncClient, auth: dict[str, str], spec: DaySpec) -> int:
    bodies = day_orders(spec.day, spec.orders, spec.seed)
    placed = 0
    for first in range(0, len(bodies), 500):
        batch = bodies[first : first + 500]
        key = f"simulated-day-{spec.day}-{spec.seed}-{first}"
        response = await send(
            client, "POST", "/v1/orders", headers={**auth, "Idempotency-Key": key}, json={"orders": batch}
        )
        if response.status_code != 202:
            raise RuntimeError(f"orders not placed: {response.status_code} {response.text[:300]}")
        placed += len(batch)
    return placed


async def _settled_orders(
    client: httpx.AsyncClient, auth: dict[str, str], day: date, done: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    for _ in range(120):
        found = await day_orders_of(client, auth, day)
        if done(found):
            return found
        await asyncio.sleep(1)
    raise RuntimeError("the day's orders did not settle within 120 s")


async def _planned(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], limit_s: float
) -> tuple[dict[str, Any], float]:
    """One plan request through the gateway; its record once made, and the wall seconds it took."""
    started = wallclock.monotonic()
    response = await send(client, "POST", "/v1/dispatch/plans", headers=auth, json=body)
    if response.status_code != 202:
        raise RuntimeError(f"plan request: {response.status_code} {response.text[:300]}")
    record: dict[str, Any] = {}
    while record.get("status") not in ("done", "failed"):
        await asyncio.sleep(0.2)
        answer = await client.get(response.json()["status_url"], headers=auth)
        record = answer.json() if answer.status_code == 200 else {}
        if wallclock.monotonic() - started > limit_s + 180:
            raise RuntimeError("the plan was not made within its time limit + 180 s")
    return record, wallclock.monotonic() - started


async def _plan(
    client: httpx.AsyncClient, auth: dict[str, str], spec: DaySpec, engine: str, accepted: int, run: DayRun
) -> None:
    """Request a plan until it covers every accepted order and every truck (dispatch learns
    both from Kafka, a moment after the orders service answers)."""
    body = {
        "horizon_start": spec.at(spec.start).isoformat(),
        "horizon_end": (spec.at(time(0)) + timedelta(days=1)).isoformat(),
        "engine": engine,
        "time_limit_s": spec.time_limit_s,
        "seed": spec.seed,
        "vehicle_ids": [sim_fleet.vehicle_id(i) for i in range(spec.trucks)],
    }
    eve = spec.at(time(0)) - timedelta(hours=2)  # no order falls in it: only the solver starts
    warmup = {**body, "horizon_start": eve.isoformat(), "horizon_end": (eve + timedelta(hours=1)).isoformat()}
    _, run.warmup_latency_s = await _planned(client, auth, warmup, spec.time_limit_s)
    for attempt in range(1, 11):
        run.plan_attempts = attempt
        run.plan, run.plan_latency_s = await _planned(client, auth, body, spec.time_limit_s)
        record = run.plan
        kpis = record.get("kpis") or {}
        covered = kpis.get("orders_served", 0) + kpis.get("orders_dropped", 0)
        if record["status"] == "done" and covered >= accepted and len(record["revisions"]) == spec.trucks:
            return
        await asyncio.sleep(2)
    raise RuntimeError(f"no plan covered the {accepted} orders and {spec.trucks} trucks: {run.plan}")


def _idle_at_home(truck: Truck) -> bool:
    home = truck.home
    return (
        not truck.stops
        and not truck.route
        and truck.dwell_s <= 0
        and (home is None or haversine_m(truck.position, home) < 100)
    )


async def _lag_s(client: httpx.AsyncClient, auth: dict[str, str], now: datetime, ids: set[str]) -> float:
    """How far tracking's newest state of the slowest truck is behind the simulated clock."""
    response = await client.get("/v1/vehicles", headers=auth, params={"limit": 1000})
    if response.status_code != 200:
        return float("inf")
    seen = {v["vehicle_id"]: v["device_time"] for v in response.json()["vehicles"] if v["vehicle_id"] in ids}
    if len(seen) < len(ids):
        return float("inf")
    return max((now - datetime.fromisoformat(t)).total_seconds() for t in seen.values())


async def simulate_day(
    gateway: str, kafka: str, spec: DaySpec, engine: str, say: Callable[[str], None] = print
) -> DayRun:
    run = DayRun(engine=engine, spec=spec)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        admin = await _admin(client)
        dispatcher = await _dispatcher(client, admin)
        await _put_all(client, "/v1/sites", sim_orders.sites(sim_orders.ANCHORS), dispatcher)
        await _put_all(client, "/v1/fleet/vehicles", sim_fleet.vehicles(spec.trucks, sim_orders.HUB), admin)
        run.placed = await _place(client, dispatcher, spec)
        orders = await _settled_orders(
            client,
            dispatcher,
            spec.day,
            lambda found: len(found) >= run.placed and all(o["status"] != "received" for o in found),
        )
        accepted = sum(1 for o in orders if o["status"] == "accepted")
        say(f"[{engine}] seeded {spec.trucks} trucks, {run.placed} orders ({accepted} accepted)")
        fleet = make_fleet(spec.trucks, seed=spec.seed, home=sim_orders.HUB_POSITION)
        for truck in fleet:
            truck.highway_kmh = HIGHWAY_KMH
        trucks = {sim_fleet.vehicle_id(i): t for i, t in enumerate(fleet)}
        stop = asyncio.Event()
        following = asyncio.create_task(follow_assignments(kafka, trucks, float("inf"), stop))
        try:
            await _drive(client, dispatcher, spec, engine, accepted, fleet, trucks, run, say)
        finally:
            stop.set()
            await following
        run.orders = await _settled_orders(client, dispatcher, spec.day, _stable())
        kpis = await send(
            client,
            "GET",
            "/v1/kpis",
            headers=dispatcher,
            params={
                "from": spec.at(time(0)).isoformat(),
                "to": (spec.at(time(0)) + timedelta(days=1)).isoformat(),
            },
        )
        kpis.raise_for_status()
        run.kpis = kpis.json()
        plans = await send(client, "GET", "/v1/dispatch/plans", headers=dispatcher, params={"limit": 200})
        plans.raise_for_status()
        run.plans = plans.json()["plans"]
    return run


def _stable() -> Callable[[list[dict[str, Any]]], bool]:
    """True once the orders' statuses are the same three polls running."""
    seen: list[list[tuple[str, str]]] = []

    def done(found: list[dict[str, Any]]) -> bool:
        seen.append(sorted((o["order_id"], o["status"]) for o in found))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    return done


async def _drive(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    spec: DaySpec,
    engine: str,
    accepted: int,
    fleet: list[Truck],
    trucks: dict[str, Truck],
    run: DayRun,
    say: Callable[[str], None],
) -> None:
    pacing = Pacing(spec.at(spec.start), timedelta(seconds=spec.step_s), spec.speed)
    headers = {"X-API-Key": DEV_INGEST_KEY}
    per_check = max(1, int(900 // spec.step_s))  # every 15 simulated minutes
    end_tick = pacing.ticks_until(spec.at(spec.end))
    began = wallclock.monotonic()
    tick = 0
    while tick <= end_tick:
        if tick == 1:  # tick 0 told tracking and dispatch where the trucks are: now plan
            await _plan(client, auth, spec, engine, accepted, run)
            say(f"[{engine}] plan {run.plan['plan_id']}: {run.plan['kpis']} in {run.plan_latency_s:.1f}s")
            began = wallclock.monotonic() - pacing.due_s(tick)
        delay = began + pacing.due_s(tick) - wallclock.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        now = pacing.at(tick)
        if tick:
            for truck in fleet:
                truck.clock = pacing.at(tick - 1)
                truck.step(spec.step_s)
        response = await client.post(
            "/v1/telemetry/gps", headers=headers, json={"fixes": [t.fix(now) for t in fleet]}
        )
        run.fixes += len(fleet)
        run.failed_posts += response.status_code != 202
        if tick and tick % per_check == 0:
            while (lag := await _lag_s(client, auth, now, set(trucks))) > spec.max_lag_s:
                await asyncio.sleep(0.5)
                began += 0.5  # waiting for the services is not simulated time
            if now.minute == 0:
                counts = _status_counts(await day_orders_of(client, auth, spec.day))
                say(
                    f"[{engine}] {now.astimezone(SEOUL):%H:%M} sim, {wallclock.monotonic() - began:5.0f}s wall, "
                    f"lag {lag:.0f}s sim, orders {counts}"
                )
            if end_tick - tick > 40 and all(_idle_at_home(t) for t in fleet):
                counts = _status_counts(await day_orders_of(client, auth, spec.day))
                if not counts.get("assigned") and not counts.get("picked_up"):
                    end_tick = tick + 40  # parked fixes a while longer: tracking closes the last stops
        tick += 1
    run.simulated_until = pacing.at(end_tick)
    run.drive_wall_s = wallclock.monotonic() - began


def _status_counts(orders: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for order in orders:
        counts[order["status"]] = counts.get(order["status"], 0) + 1
    return dict(sorted(counts.items()))
