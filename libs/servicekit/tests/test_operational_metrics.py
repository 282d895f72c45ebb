"""The gauges operators alert on: readiness per dependency and consumer lag per group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from coldchain_servicekit import lag
from coldchain_servicekit.health import health_router

pytestmark = pytest.mark.unit


def value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_readyz_sets_ready_and_each_dependency() -> None:
    async def ok() -> None:
        return None

    async def down() -> None:
        raise ConnectionError("refused")

    checks = {"kafka": ok, "postgres": ok}
    app = FastAPI()
    app.include_router(health_router(checks, timeout_s=1.0))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/readyz")).status_code == 200
        assert value("coldchain_ready") == 1
        checks["postgres"] = down
        assert (await client.get("/readyz")).status_code == 503
    assert value("coldchain_ready") == 0
    assert value("coldchain_dependency_up", dependency="postgres") == 0
    assert value("coldchain_dependency_up", dependency="kafka") == 1


@dataclass(frozen=True)
class TP:
    topic: str
    partition: int


@dataclass
class FakeConsumer:
    positions: dict[TP, int]
    highwaters: dict[TP, int | None]

    def assignment(self) -> set[TP]:
        return set(self.positions)

    def highwater(self, tp: TP) -> int | None:
        return self.highwaters[tp]

    async def position(self, tp: TP) -> int:
        return self.positions[tp]


@dataclass
class FakeSubscriber:
    group_id: str | None
    consumer: FakeConsumer | None


@dataclass
class FakeBroker:
    subscribers: list[FakeSubscriber] = field(default_factory=list)


async def test_lag_sums_assigned_partitions_per_group_and_topic() -> None:
    a0, a1, b0 = TP("telemetry.gps.v1", 0), TP("telemetry.gps.v1", 1), TP("fleet.sites.v1", 0)
    broker = FakeBroker(
        [
            FakeSubscriber("tracking", FakeConsumer({a0: 90, a1: 10}, {a0: 100, a1: 15})),
            # Not fetched yet (no high watermark): not reported rather than reported as 0.
            FakeSubscriber("tracking.geofences", FakeConsumer({b0: 0}, {b0: None})),
            FakeSubscriber(None, FakeConsumer({b0: 0}, {b0: 7})),  # no group: a broadcast reader
            FakeSubscriber("stopped", None),
        ]
    )
    assert await lag.sample(cast(Any, broker)) == {("tracking", "telemetry.gps.v1"): 15}

    sampler = lag.lag_sampler(cast(Any, broker))
    await sampler.start()
    await sampler.stop()
    assert value("coldchain_consumer_lag", group="tracking", topic="telemetry.gps.v1") == 15
