"""Tracking's query API over HTTP against real PostgreSQL and Redis (no broker started)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted, ReeferReading
from coldchain_contracts.tracking_events import TripEnded, TripStarted
from coldchain_devtools.testing import Infra, internal_auth
from coldchain_tracking.app import create_app
from coldchain_tracking.domain import state_from_fix
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.periods import PeriodStore
from coldchain_tracking.repository import PositionHistory
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
REDIS_DB = 13  # a database of its own: the vehicle listing sees every vehicle in it


@pytest.fixture(scope="module")
async def redis_url(infra: Infra) -> AsyncIterator[str]:
    url = infra.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis = Redis.from_url(url)
    await redis.flushdb()
    yield url
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
async def api(test_database: str, engine: AsyncEngine, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(TrackingSettings(database_url=test_database, redis_url=redis_url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tracking", headers=internal_auth()
    ) as client:
        yield client
    await app.state.live._redis.aclose()


def fix(vehicle_id: str, at: datetime, **extra: Any) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle_id,
        device_id="d",
        source="t",
        device_time=at,
        received_at=at,
        latitude=37.5,
        longitude=127.0,
        **extra,
    )


async def get(api: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def all_pages(api: httpx.AsyncClient, path: str, key: str, **params: Any) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        body = await get(api, path, **params, **({"cursor": cursor} if cursor else {}))
        pages.append(body[key])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_positions_page_with_a_cursor_until_the_range_is_exhausted(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    v = f"q-{uuid.uuid4().hex[:8]}"
    times = [T0 + timedelta(seconds=10 * i) for i in range(5)]
    await PositionHistory(engine).append([fix(v, t) for t in times])
    window = {"from": times[0].isoformat(), "to": (times[-1] + timedelta(seconds=1)).isoformat()}
    pages = await all_pages(api, f"/v1/vehicles/{v}/positions", "positions", limit=2, **window)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [datetime.fromisoformat(r["device_time"]) for p in pages for r in p] == times


async def test_the_temperature_log_endpoint_returns_readings_in_the_window(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    v = f"q-{uuid.uuid4().hex[:8]}"
    await PositionHistory(engine).append(
        [
            fix(v, T0, temperatures=(ReeferReading(channel="A", celsius=-18.5),)),
            fix(v, T0 + timedelta(minutes=1)),
        ]
    )
    body = await get(
        api,
        f"/v1/vehicles/{v}/temperatures",
        **{"from": T0.isoformat(), "to": (T0 + timedelta(hours=1)).isoformat()},
    )
    assert body["count"] == 1
    assert body["readings"][0]["readings"] == [
        {"channel": "A", "celsius": -18.5, "state": "ok", "setpoint_celsius": None}
    ]
    assert body["next_cursor"] is None


async def test_trips_page_by_start_time_and_filter_by_status(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    v = f"q-{uuid.uuid4().hex[:8]}"
    trips = [uuid.uuid4() for _ in range(3)]
    starts = [T0, T0, T0 + timedelta(hours=1)]  # two share a start: the id breaks the tie
    events = [TripStarted(vehicle_id=v, at=s, trip_id=t) for s, t in zip(starts, trips, strict=True)]
    events.append(
        TripEnded(vehicle_id=v, at=T0 + timedelta(minutes=30), trip_id=trips[0], started_at=T0, distance_km=3)
    )
    await PeriodStore(engine).apply(events)
    window = {"from": (T0 - timedelta(hours=1)).isoformat(), "to": (T0 + timedelta(hours=2)).isoformat()}
    pages = await all_pages(api, f"/v1/vehicles/{v}/trips", "trips", limit=1, **window)
    listed = [t["trip_id"] for p in pages for t in p]
    assert listed == [str(t) for t in sorted(trips[:2], key=str)] + [str(trips[2])]
    open_only = await get(api, f"/v1/vehicles/{v}/trips", status="open", **window)
    assert {t["trip_id"] for t in open_only["trips"]} == {str(trips[1]), str(trips[2])}
    later = await get(
        api,
        f"/v1/vehicles/{v}/trips",
        **{"from": (T0 + timedelta(minutes=31)).isoformat(), "to": window["to"]},
    )
    assert str(trips[0]) not in {t["trip_id"] for t in later["trips"]}, "ended before the window"


async def test_the_vehicle_list_pages_live_states_by_vehicle_id(
    api: httpx.AsyncClient, redis_url: str
) -> None:
    redis = Redis.from_url(redis_url)
    live = LiveStateStore(redis)
    ids = sorted(f"list-{i:03d}" for i in range(7))
    await live.advance([state_from_fix(fix(v, T0), 5.0) for v in reversed(ids)])
    await redis.aclose()
    pages = await all_pages(api, "/v1/vehicles", "vehicles", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [s["vehicle_id"] for p in pages for s in p] == ids
    assert pages[0][0]["motion"] == "offline", "a state is shown as a reader sees it now"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/vehicles/x/positions", {"cursor": "not-a-cursor"}),
        ("/v1/vehicles/x/trips", {"cursor": "eyJhdCI6IjIwMjYtMTEtMjFUMDY6MDA6MDArMDA6MDAiLCJpZCI6IiJ9"}),
        ("/v1/vehicles/x/stops", {"from": "2026-11-21T06:00:00Z", "to": "2026-11-20T06:00:00Z"}),
        ("/v1/vehicles/x/alerts", {"from": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}),
        ("/v1/vehicles/x/excursions", {"limit": 1001}),
        ("/v1/vehicles/x/temperatures", {"from": "2026-11-21T06:00:00"}),
        ("/v1/vehicles/x/temperatures", {"channel": "A\x00"}),
        # forged cursors: instants no timestamp can hold once in UTC, a NUL in the id
        ("/v1/vehicles/x/positions", {"cursor": "eyJhdCI6IjAwMDEtMDEtMDFUMDA6MDA6MDArMTQ6MDAiLCJpZCI6IiJ9"}),
        ("/v1/vehicles/x/positions", {"cursor": "eyJhdCI6Ijk5OTktMTItMzFUMjM6NTk6NTktMTQ6MDAiLCJpZCI6IiJ9"}),
        (
            "/v1/vehicles/x/trips",
            {"cursor": "eyJhdCI6IjIwMjYtMTEtMjFUMDY6MDA6MDArMDA6MDAiLCJpZCI6ImFcdTAwMDAifQ"},
        ),
    ],
)
async def test_bad_queries_are_422_problems(
    api: httpx.AsyncClient, path: str, params: dict[str, Any]
) -> None:
    response = await api.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
