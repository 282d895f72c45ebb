"""Planning as the service runs it: on request, on a new order, on a breakdown.

Each run reads the projections (or the current plan), plans off the event loop (a
requested plan in a separate process, `solver_process.py`; insertions and re-plans in a
worker thread) so the loop keeps heart-beating Kafka, checks the result with the independent
validator, stores a plan record with the exact `RouteAssigned` messages, advances the
vehicles' revisions, and only then publishes. A redelivered command finds its plan
record (plan ids are the request's, or derived from the triggering event's id) and
republishes the stored messages: nothing is planned twice, and subscribers dedupe on
the same event ids.

Runs are serialised by one lock within a process (revisions and "the current plan"); a
requested plan also holds its horizon's advisory lock in PostgreSQL (`horizon_lock`), so a
second replica never plans the same horizon at the same time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coldchain_contracts import ExcursionOpened, OrderSpec, OrderStatus, utcnow
from coldchain_contracts.dispatch import PlanEngine, ReportBreakdown, RequestPlan, derived_plan_id
from coldchain_dispatch import codec
from coldchain_dispatch.assembly import Meta, assemble, in_horizon, order_of, stop_sites
from coldchain_dispatch.horizon_lock import HorizonLock, LocalOnly, horizon_key
from coldchain_dispatch.order_book import OrderBook
from coldchain_dispatch.plan_records import PlanRecords, Publish, plan_of
from coldchain_dispatch.plan_store import PlanStore
from coldchain_dispatch.planning import Method, solve
from coldchain_dispatch.planning.incremental import insert_order, reoptimise
from coldchain_dispatch.planning.kpis import kpis
from coldchain_dispatch.planning.model import GeoPoint, Plan, Problem
from coldchain_dispatch.planning.replan import replan_vehicle_failure
from coldchain_dispatch.planning.validate import InvalidPlan, assert_valid
from coldchain_dispatch.settings import DispatchSettings
from coldchain_dispatch.solver_process import InThread, SolverProcess
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)


def method_of(engine: PlanEngine | str) -> Method:
    """The optimiser is the engine portfolio (PyVRP where it can express the problem)."""
    return "greedy" if PlanEngine(engine) is PlanEngine.GREEDY else "portfolio"


def solve_checked(problem: Problem, method: Method, time_limit_s: float, seed: int) -> Plan:
    """Runs in a worker thread: solve, then never trust the solver unchecked."""
    plan = solve(problem, time_limit_s=time_limit_s, seed=seed, method=method)
    assert_valid(problem, plan)
    return plan


class Planner:
    def __init__(
        self,
        store: PlanStore,
        order_book: OrderBook,
        publish: Publish,
        settings: DispatchSettings,
        clock: Callable[[], datetime] = utcnow,
        horizon_lock: HorizonLock | None = None,
    ) -> None:
        self._store = store
        self._horizon_lock: HorizonLock = horizon_lock or LocalOnly()
        self._records = PlanRecords(store, publish, clock)
        self._orders = order_book
        self._settings = settings
        self._clock = clock
        self._tz = ZoneInfo(settings.timezone)
        self._lock = asyncio.Lock()
        self._reoptimising: asyncio.Task[None] | None = None
        self._reoptimise_again = False
        self._solver: SolverProcess | InThread = SolverProcess() if settings.solve_in_process else InThread()

    def close(self) -> None:
        self._solver.close()

    # --- mode 1: a plan on request ----------------------------------------------------

    async def request(self, command: RequestPlan, trace: str | None) -> None:
        key = horizon_key(command.horizon_start, command.horizon_end)
        async with self._lock, self._horizon_lock.hold(key):
            if await self._records.republished(command.plan_id, trace):
                return
            now = self._clock()
            limit = min(command.time_limit_s, self._settings.plan_time_limit_max_s)
            settings: dict[str, Any] = {
                "horizon_start": command.horizon_start.isoformat(),
                "horizon_end": command.horizon_end.isoformat(),
                "time_limit_s": limit,
                "requested_time_limit_s": command.time_limit_s,
                "seed": command.seed,
                "vehicle_ids": list(command.vehicle_ids) if command.vehicle_ids is not None else None,
                "requested_by": command.requested_by,
            }
            base = {
                "plan_id": command.plan_id,
                "kind": "request",
                "parent_plan_id": None,
                "command_id": command.event_id,
                "requested_at": command.occurred_at,
                "engine": command.engine.value,
            }
            if command.horizon_end <= command.horizon_start:
                await self._records.failed(base, settings, {}, "horizon_end must be after horizon_start")
                return
            inputs = await self._store.inputs()
            try:
                assembled = assemble(
                    vehicles=inputs.vehicles,
                    sites=inputs.sites,
                    positions=inputs.positions,
                    orders=inputs.orders,
                    horizon_start=command.horizon_start,
                    horizon_end=command.horizon_end,
                    now=now,
                    tz=self._tz,
                    position_max_age=timedelta(seconds=self._settings.position_max_age_s),
                    vehicle_ids=command.vehicle_ids,
                )
            except ValueError as exc:  # inconsistent projections (e.g. one order on board two trucks)
                await self._records.failed(base, settings, {}, f"cannot assemble the problem: {exc}")
                return
            recorded = {
                "meta": assembled.meta.as_json(),
                "excluded_vehicles": assembled.excluded_vehicles,
                "excluded_orders": assembled.excluded_orders,
            }
            problem = assembled.problem
            if not problem.vehicles:
                await self._records.failed(
                    base, settings, recorded, "no vehicle can be planned (active, with depot and shift)"
                )
                return
            started = time.perf_counter()
            try:
                plan = await self._solver.run(
                    solve_checked, problem, method_of(command.engine), limit, command.seed
                )
            except (ValueError, InvalidPlan) as exc:
                recorded["problem"] = codec.encode_problem(problem)
                await self._records.failed(base, settings, recorded, repr(exc))
                return
            duration = time.perf_counter() - started
            await self._records.store_and_publish(
                {**base, "duration_s": duration},
                settings,
                problem,
                plan,
                assembled.meta,
                recorded,
                vehicle_ids=[v.vehicle_id for v in problem.vehicles],
                trace=trace,
            )

    # --- mode 2: a new order into the current plan --------------------------------------

    async def order_accepted(self, order_id: uuid.UUID, event_id: uuid.UUID, trace: str | None) -> None:
        async with self._lock:
            plan_id = derived_plan_id("insertion", event_id)
            if await self._records.republished(plan_id, trace):
                return
            current = await self._store.current()
            row = await self._orders.get(order_id)
            if current is None or row is None or row.spec is None:
                return
            if row.status != OrderStatus.ACCEPTED.value:
                return  # planned, cancelled or closed since: nothing to insert
            problem = codec.decode_problem(current["inputs"]["problem"])
            if any(o.order_id == str(order_id) for o in problem.orders):
                return  # the current plan already knows it
            spec = OrderSpec.model_validate(row.spec)
            settings = dict(current["settings"])
            start = datetime.fromisoformat(settings["horizon_start"])
            end = datetime.fromisoformat(settings["horizon_end"])
            if not in_horizon(spec, start, end):
                return  # a later plan request will take it
            try:
                order = order_of(str(order_id), spec, await self._store.sites())
            except ValueError as exc:
                log.warning("order not inserted", order_id=str(order_id), error=str(exc))
                return
            plan = plan_of(current)
            now = self._clock()
            started = time.perf_counter()
            inserted = await asyncio.to_thread(insert_order, problem, plan, order, now=now)
            assert_valid(inserted.problem, inserted.plan)
            duration = time.perf_counter() - started
            meta = Meta.of(current["inputs"]["meta"])
            meta.sites[order.order_id] = stop_sites(spec)
            await self._records.store_and_publish(
                {
                    "plan_id": plan_id,
                    "kind": "insertion",
                    "parent_plan_id": current["plan_id"],
                    "command_id": event_id,
                    "requested_at": now,
                    "engine": "insertion",
                    "duration_s": duration,
                },
                {**settings, "order_id": str(order_id)},
                inserted.problem,
                inserted.plan,
                meta,
                {},
                vehicle_ids=[inserted.vehicle_id] if inserted.vehicle_id else [],
                trace=trace,
            )
        self._schedule_reoptimisation()

    # --- mode 2, background: re-optimise after insertions -----------------------------

    def _schedule_reoptimisation(self) -> None:
        """One background re-optimisation at a time; insertions meanwhile ask for one more."""
        if self._settings.reoptimise_time_limit_s <= 0:
            return
        if self._reoptimising is not None and not self._reoptimising.done():
            self._reoptimise_again = True
            return
        self._reoptimising = asyncio.create_task(self._reoptimise_loop())

    async def _reoptimise_loop(self) -> None:
        while True:
            self._reoptimise_again = False
            try:
                await self.reoptimise_current()
            except Exception as exc:  # noqa: BLE001 - a background improvement must never take the service down
                log.warning("background re-optimisation failed", error=repr(exc)[:300])
            if not self._reoptimise_again:
                return

    async def reoptimise_current(self) -> bool:
        """Improve the current plan's unlocked stops (solved without holding the lock); the
        result is published only if the current plan is still the one it started from and
        it is shorter. Returns whether it was published."""
        current = await self._store.current()
        if current is None:
            return False
        problem = codec.decode_problem(current["inputs"]["problem"])
        plan = plan_of(current)
        now = self._clock()
        started = time.perf_counter()
        better = await asyncio.to_thread(
            reoptimise, problem, plan, now=now, time_limit_s=self._settings.reoptimise_time_limit_s
        )
        assert_valid(problem, better)
        duration = time.perf_counter() - started
        before, after = kpis(problem, plan), kpis(problem, better)
        if after.total_km >= before.total_km - 1e-6 or len(better.dropped) > len(plan.dropped):
            return False
        async with self._lock:
            latest = await self._store.current()
            if latest is None or latest["plan_id"] != current["plan_id"]:
                return False  # something newer was planned meanwhile: this result is stale
            changed = _changed_vehicles(plan, better)
            await self._records.store_and_publish(
                {
                    "plan_id": derived_plan_id("reoptimise", current["plan_id"]),
                    "kind": "reoptimise",
                    "parent_plan_id": current["plan_id"],
                    "command_id": current["plan_id"],
                    "requested_at": now,
                    "engine": "ortools",
                    "duration_s": duration,
                },
                dict(current["settings"]),
                problem,
                better,
                Meta.of(current["inputs"]["meta"]),
                {},
                vehicle_ids=changed,
                trace=None,
            )
        log.info("plan re-optimised", km_before=before.total_km, km_after=after.total_km)
        return True

    # --- mode 3: a temperature excursion is handled like a breakdown -------------------

    async def excursion(self, event: ExcursionOpened, trace: str | None) -> None:
        """A compartment out of its band: the vehicle's undelivered loads are re-planned onto
        other vehicles where possible, exactly as for a breakdown (one re-plan per excursion)."""
        current = await self._store.current()
        if current is None or event.vehicle_id not in {r.vehicle_id for r in plan_of(current).routes}:
            return  # not on a plan: nothing to move
        command = ReportBreakdown(
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            vehicle_id=event.vehicle_id,
            detail=f"temperature excursion on compartment {event.channel} ({event.celsius} °C)",
            requested_by="tracking",
            producer="dispatch",
        )
        await self.breakdown(command, trace)

    # --- mode 3: a breakdown ------------------------------------------------------------

    async def breakdown(self, command: ReportBreakdown, trace: str | None) -> None:
        async with self._lock:
            plan_id = derived_plan_id("breakdown", command.event_id)
            if await self._records.republished(plan_id, trace):
                return
            now = self._clock()
            base = {
                "plan_id": plan_id,
                "kind": "breakdown",
                "parent_plan_id": None,
                "command_id": command.event_id,
                "requested_at": command.occurred_at,
                "engine": "replan",
            }
            settings = {"vehicle_id": command.vehicle_id, "detail": command.detail}
            current = await self._store.current()
            if current is None:
                await self._records.failed(base, settings, {}, "no current plan to re-plan")
                return
            base["parent_plan_id"] = current["plan_id"]
            settings = {**current["settings"], **settings}
            problem = codec.decode_problem(current["inputs"]["problem"])
            plan = plan_of(current)
            if command.vehicle_id not in {r.vehicle_id for r in plan.routes}:
                await self._records.failed(
                    base, settings, {}, f"vehicle {command.vehicle_id} has no route in the current plan"
                )
                return
            position = await self._store.position(command.vehicle_id)
            fresh = position is not None and now - position["device_time"] <= timedelta(
                seconds=self._settings.position_max_age_s
            )
            where = GeoPoint(position["latitude"], position["longitude"]) if fresh and position else None
            started = time.perf_counter()
            replanned = await asyncio.to_thread(
                replan_vehicle_failure, problem, plan, command.vehicle_id, now=now, position=where
            )
            assert_valid(replanned.problem, replanned.remaining)
            duration = time.perf_counter() - started
            meta = Meta.of(current["inputs"]["meta"])
            meta.transfers.extend(t for t in replanned.transfers if t not in meta.transfers)
            published = Plan(
                tuple(r for r in replanned.plan.routes if r.vehicle_id != command.vehicle_id),
                replanned.remaining.dropped,
                replanned.remaining.stats,
            )
            await self._records.store_and_publish(
                {**base, "duration_s": duration},
                settings,
                replanned.problem,
                replanned.remaining,
                meta,
                {"transfers": list(replanned.transfers), "reassigned": replanned.reassigned},
                vehicle_ids=[*(r.vehicle_id for r in plan.routes)],
                trace=trace,
                published=published,
            )


def _changed_vehicles(before: Plan, after: Plan) -> list[str]:
    """Vehicles whose stop sequence differs (including routes that appear or vanish)."""

    def stops(plan: Plan) -> dict[str, tuple[tuple[str, str], ...]]:
        return {r.vehicle_id: tuple((s.order_id, s.kind.value) for s in r.stops) for r in plan.routes}

    a, b = stops(before), stops(after)
    return sorted(v for v in a.keys() | b.keys() if a.get(v) != b.get(v))
