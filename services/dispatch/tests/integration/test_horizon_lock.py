"""Two dispatch replicas (two planners, each with its own connection pool) never plan the
same horizon at the same time: the PostgreSQL advisory lock makes the second wait until
the first has recorded its plan. Different horizons still plan side by side, which
shows the runs would overlap without the lock."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts.dispatch import PlanEngine, RequestPlan
from coldchain_dispatch.horizon_lock import PgHorizonLock
from coldchain_dispatch.order_book import OrderBook
from coldchain_dispatch.plan_store import Inputs, PlanStore
from coldchain_dispatch.planner import Planner
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.integration
DAY = datetime(2030, 1, 7, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 1000)  # unique per run


class TimedStore:
    """Records when a run read its inputs and when it saved its plan record."""

    def __init__(self, runs: list[tuple[str, float, float]], name: str) -> None:
        self._runs, self._name, self._started = runs, name, 0.0

    async def get(self, plan_id: uuid.UUID) -> None:
        return None

    async def inputs(self) -> Inputs:
        self._started = time.monotonic()
        await asyncio.sleep(0.3)  # a solve takes a while
        return Inputs(vehicles=[], sites=[], positions=[], orders=[])

    async def save(self, record: dict[str, Any]) -> bool:
        self._runs.append((self._name, self._started, time.monotonic()))
        return True


@pytest.fixture
async def engines(test_database: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    first, second = make_engine(test_database), make_engine(test_database)
    yield first, second
    await first.dispose()
    await second.dispose()


async def nothing(_messages: Sequence[Outgoing]) -> None:
    return None


def replica(name: str, engine: AsyncEngine, runs: list[tuple[str, float, float]]) -> Planner:
    return Planner(
        cast(PlanStore, TimedStore(runs, name)),
        cast(OrderBook, None),
        nothing,
        DispatchSettings(reoptimise_time_limit_s=0, solve_in_process=False),
        horizon_lock=PgHorizonLock(engine),
    )


def request(day: datetime) -> RequestPlan:
    return RequestPlan(
        plan_id=uuid.uuid4(), horizon_start=day, horizon_end=day + timedelta(days=1), engine=PlanEngine.GREEDY
    )


def overlap(runs: list[tuple[str, float, float]]) -> bool:
    (_, a0, a1), (_, b0, b1) = runs
    return a0 < b1 and b0 < a1


async def test_two_replicas_plan_the_same_horizon_one_after_the_other(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    runs: list[tuple[str, float, float]] = []
    a, b = replica("a", engines[0], runs), replica("b", engines[1], runs)
    await asyncio.gather(a.request(request(DAY), None), b.request(request(DAY), None))
    assert sorted(r[0] for r in runs) == ["a", "b"]
    assert not overlap(runs), runs


async def test_two_replicas_plan_different_horizons_side_by_side(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    runs: list[tuple[str, float, float]] = []
    a, b = replica("a", engines[0], runs), replica("b", engines[1], runs)
    await asyncio.gather(
        a.request(request(DAY + timedelta(days=2)), None), b.request(request(DAY + timedelta(days=3)), None)
    )
    assert overlap(runs), "the lock is per horizon, and without it runs overlap"
