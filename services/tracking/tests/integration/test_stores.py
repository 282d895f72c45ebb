"""Tracking's stores against real Redis and PostgreSQL (no Kafka, no services)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import FixAccepted
from coldchain_devtools.testing import Infra
from coldchain_tracking.app import SCHEMA_DEF
from coldchain_tracking.domain import state_from_fix
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.repository import PositionHistory

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def fix(vehicle: str, at: datetime) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id="d",
        source="t",
        device_time=at,
        received_at=at,
        latitude=37.5,
        longitude=127.0,
    )


@pytest.fixture
async def live(infra: Infra) -> AsyncIterator[LiveStateStore]:
    redis = Redis.from_url(infra.redis_url)
    yield LiveStateStore(redis)
    await redis.aclose()


async def test_live_state_never_moves_back_to_an_older_or_equal_fix(live: LiveStateStore) -> None:
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    newer = state_from_fix(fix(vehicle, T0 + timedelta(seconds=30)), 5.0)
    older = state_from_fix(fix(vehicle, T0), 5.0)
    duplicate = state_from_fix(fix(vehicle, T0 + timedelta(seconds=30)), 5.0)
    assert (await live.advance([newer])).advanced == [newer]
    assert (await live.advance([older])).to_publish == []
    again = await live.advance([duplicate])
    assert again.advanced == []
    assert again.current == [newer], "the stored state comes back for republishing, not the duplicate"
    stored = await live.get(vehicle)
    assert stored is not None
    assert stored.event_id == newer.event_id


async def test_live_state_advances_several_vehicles_in_one_pipeline(live: LiveStateStore) -> None:
    states = [state_from_fix(fix(f"v-{uuid.uuid4().hex[:8]}", T0), 5.0) for _ in range(50)]
    assert len((await live.advance(states)).advanced) == 50


async def test_history_is_idempotent_on_vehicle_and_device_time(engine: AsyncEngine) -> None:
    history = PositionHistory(engine)
    vehicle = f"v-{uuid.uuid4().hex[:8]}"
    first = [fix(vehicle, T0), fix(vehicle, T0 + timedelta(seconds=5))]
    assert await history.append(first) == 2
    assert await history.append([fix(vehicle, T0), fix(vehicle, T0 + timedelta(seconds=10))]) == 1
    rows = await history.between(vehicle, T0, T0 + timedelta(minutes=1), limit=100)
    assert [r["device_time"] for r in rows] == [T0, T0 + timedelta(seconds=5), T0 + timedelta(seconds=10)]


async def test_migrations_keep_their_version_table_in_the_service_schema(engine: AsyncEngine) -> None:
    from sqlalchemy import text

    async with engine.connect() as conn:
        schemas = await conn.execute(
            text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'")
        )
        assert SCHEMA_DEF.name in {r[0] for r in schemas}
        assert "public" not in {r[0] for r in schemas}
