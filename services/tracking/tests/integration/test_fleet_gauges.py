"""Fleet gauges counted from real PostgreSQL: open excursions, the oldest one's age, and the
vehicles that reported in the last five minutes (what the fleet dashboard and the
ExcursionOpenTooLong alert read)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_tracking.db import excursions, positions
from coldchain_tracking.fleet_gauges import FleetGauges
from coldchain_tracking.partitions import PartitionMaintainer, PartitionPolicy

pytestmark = pytest.mark.integration


def gauge(name: str) -> float:
    value = REGISTRY.get_sample_value(name)
    assert value is not None
    return value


def excursion(vehicle: str, started: datetime, ended: datetime | None) -> dict[str, object]:
    return {
        "excursion_id": uuid.uuid4(),
        "vehicle_id": vehicle,
        "started_at": started,
        "ended_at": ended,
        "channel": "A",
    }


def fix(vehicle: str, at: datetime) -> dict[str, object]:
    return {
        "vehicle_id": vehicle,
        "device_time": at,
        "device_id": f"dev-{vehicle}",
        "received_at": at,
        "latitude": 37.5,
        "longitude": 127.0,
        "temperatures": {},
        "attributes": {},
        "event_id": uuid.uuid4(),
        "gps_valid": True,
    }


async def test_gauges_count_open_excursions_their_age_and_reporting_vehicles(engine: AsyncEngine) -> None:
    await PartitionMaintainer(engine, PartitionPolicy(behind_days=1, ahead_days=1)).run()
    now = datetime.now(UTC)
    gauges = FleetGauges(engine)
    await gauges.refresh(now)
    open_before, reporting_before = gauge("tracking_excursions_open"), gauge("tracking_vehicles_reporting")

    vehicle, quiet = f"gauge-{uuid.uuid4().hex[:8]}", f"gauge-quiet-{uuid.uuid4().hex[:8]}"
    # Older than anything another test writes, so it is the oldest open one.
    oldest = datetime(1990, 1, 1, tzinfo=UTC)
    rows = [
        excursion(vehicle, oldest, None),
        excursion(vehicle, now - timedelta(minutes=20), None),
        excursion(vehicle, now - timedelta(hours=2), now - timedelta(hours=1)),  # closed
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(excursions), rows)
        await conn.execute(
            insert(positions),
            [
                fix(vehicle, now - timedelta(minutes=1)),
                fix(vehicle, now - timedelta(minutes=2)),
                fix(quiet, now - timedelta(minutes=30)),  # outside the window: not reporting
            ],
        )
    try:
        await gauges.refresh(now)
        assert gauge("tracking_excursions_open") == open_before + 2
        assert gauge("tracking_excursion_oldest_open_seconds") == pytest.approx(
            (now - oldest).total_seconds()
        )
        assert gauge("tracking_vehicles_reporting") == reporting_before + 1
    finally:
        async with engine.begin() as conn:
            await conn.execute(delete(excursions).where(excursions.c.vehicle_id == vehicle))
            await conn.execute(delete(positions).where(positions.c.vehicle_id.in_([vehicle, quiet])))
