"""Position history on real PostgreSQL: day partitions, DEFAULT, COPY writes, range queries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import ChannelState, FixAccepted, ReeferReading
from coldchain_tracking.partitions import PartitionMaintainer, PartitionPolicy
from coldchain_tracking.repository import PositionHistory

pytestmark = pytest.mark.integration
# Days of their own, far from other tests' fixes, so partitions made here move nothing of theirs.
DAY = date(2030, 3, 10)
MIDNIGHT = datetime(2030, 3, 10, tzinfo=UTC)


def vehicle() -> str:
    return f"h-{uuid.uuid4().hex[:8]}"


def fix(vehicle_id: str, at: datetime, **extra: Any) -> FixAccepted:
    fields: dict[str, Any] = {"latitude": 37.5, "longitude": 127.0, **extra}
    return FixAccepted(
        vehicle_id=vehicle_id,
        device_id=f"d-{vehicle_id}",
        source="test",
        device_time=at,
        received_at=at + timedelta(seconds=3),
        **fields,
    )


async def partition_of(engine: AsyncEngine, vehicle_id: str, at: datetime) -> str:
    async with engine.connect() as conn:
        name = await conn.scalar(
            text(
                "SELECT tableoid::regclass::text FROM tracking.positions"
                " WHERE vehicle_id = :v AND device_time = :t"
            ),
            {"v": vehicle_id, "t": at},
        )
    assert name is not None, "row not stored"
    return str(name)


@pytest.fixture(scope="module")
async def maintained(engine: AsyncEngine) -> PartitionMaintainer:
    maintainer = PartitionMaintainer(engine, PartitionPolicy(behind_days=2, ahead_days=2))
    await maintainer.run(today=DAY)
    return maintainer


async def test_the_maintainer_creates_the_days_around_today_once(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    names = await maintained.partitions()
    expected = {f"positions_p{DAY + timedelta(days=d):%Y%m%d}" for d in range(-2, 3)}
    assert expected <= set(names)
    assert "positions_default" in names
    assert await maintained.run(today=DAY) == [], "a second run creates nothing"


async def test_a_fix_is_routed_to_the_partition_of_its_device_day(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    last_microsecond = MIDNIGHT - timedelta(microseconds=1)
    await PositionHistory(engine).append([fix(v, MIDNIGHT), fix(v, last_microsecond)])
    assert await partition_of(engine, v, MIDNIGHT) == "tracking.positions_p20300310"
    assert await partition_of(engine, v, last_microsecond) == "tracking.positions_p20300309"


async def test_a_fix_older_than_every_partition_goes_to_default_and_moves_when_its_day_is_created(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    late = MIDNIGHT - timedelta(days=40, hours=-5)
    history = PositionHistory(engine)
    assert await history.append([fix(v, late)]) == 1
    assert await partition_of(engine, v, late) == "tracking.positions_default"
    await maintained.run(today=late.date())
    assert await partition_of(engine, v, late) == f"tracking.positions_p{late:%Y%m%d}"
    assert await history.append([fix(v, late)]) == 0, "still idempotent once moved"


async def test_a_duplicate_fix_is_stored_once_and_the_first_of_a_batch_wins(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    history = PositionHistory(engine)
    at = MIDNIGHT + timedelta(hours=1)
    assert await history.append([fix(v, at, latitude=37.1), fix(v, at, latitude=37.9)]) == 1
    assert await history.append([fix(v, at, latitude=37.5), fix(v, at + timedelta(seconds=5))]) == 1
    rows = await history.between(v, at, at + timedelta(minutes=1), limit=10)
    assert [(r["device_time"], r["latitude"]) for r in rows] == [
        (at, 37.1),
        (at + timedelta(seconds=5), 37.5),
    ]


async def test_the_copy_path_keeps_every_field_device_fix_and_received_time(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    at = MIDNIGHT + timedelta(hours=2)
    sent = fix(
        v,
        at,
        fix_time=at - timedelta(seconds=2),
        speed_kmh=42.5,
        heading=90.0,
        altitude_m=12.0,
        accuracy_m=4.0,
        ignition=True,
        odometer_km=1234.5,
        battery_v=27.1,
        door_open=False,
        defrost=True,
        temperatures=(ReeferReading(channel="A", celsius=-19.5, setpoint_celsius=-20.0),),
        attributes={"fw": "1.2", "nested": {"n": 1}},
        gps_valid=False,
        hdop=1.3,
        satellites=9,
        driver_id="drv-7",
    )
    await PositionHistory(engine).append([sent])
    [row] = await PositionHistory(engine).between(v, at, at + timedelta(seconds=1), limit=1)
    assert row == {
        "vehicle_id": v,
        "device_time": at,
        "device_id": f"d-{v}",
        "received_at": at + timedelta(seconds=3),
        "latitude": 37.5,
        "longitude": 127.0,
        "speed_kmh": 42.5,
        "heading": 90.0,
        "altitude_m": 12.0,
        "accuracy_m": 4.0,
        "ignition": True,
        "odometer_km": 1234.5,
        "battery_v": 27.1,
        "door_open": False,
        "defrost": True,
        "temperatures": [{"channel": "A", "celsius": -19.5, "state": "ok", "setpoint_celsius": -20.0}],
        "attributes": {"fw": "1.2", "nested": {"n": 1}},
        "event_id": str(sent.event_id),
        "source": "test",
        "fix_time": at - timedelta(seconds=2),
        "gps_valid": False,
        "hdop": 1.3,
        "satellites": 9,
        "driver_id": "drv-7",
    }


async def test_positions_in_a_range_are_half_open_ordered_and_page_across_midnight(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    times = [MIDNIGHT + timedelta(minutes=m) for m in (-2, -1, 0, 1, 2)]
    history = PositionHistory(engine)
    await history.append([fix(v, t) for t in reversed(times)])  # arrival order does not matter
    await history.append([fix(vehicle(), times[2])])  # another vehicle's fix never shows
    start, end = times[0], times[-1]
    rows = await history.between(v, start, end, limit=100)
    assert [r["device_time"] for r in rows] == times[:-1], "from inclusive, to exclusive"
    first = await history.between(v, start, end, limit=2)
    second = await history.between(v, start, end, limit=2, after=first[-1]["device_time"])
    third = await history.between(v, start, end, limit=2, after=second[-1]["device_time"])
    assert [r["device_time"] for r in first + second + third] == times[:-1]
    assert len(third) == 0


async def test_the_temperature_log_lists_readings_per_fix_and_skips_fixes_without_any(
    engine: AsyncEngine, maintained: PartitionMaintainer
) -> None:
    v = vehicle()
    t = [MIDNIGHT + timedelta(hours=3, minutes=m) for m in range(4)]
    both = (
        ReeferReading(channel="A", celsius=-19.0),
        ReeferReading(channel="B", state=ChannelState.UNUSED),
    )
    history = PositionHistory(engine)
    await history.append(
        [
            fix(v, t[0], temperatures=both, door_open=False),
            fix(v, t[1]),  # no readings: not part of the log
            fix(v, t[2], temperatures=(ReeferReading(channel="A", state=ChannelState.PROBE_DISCONNECTED),)),
            fix(v, t[3], temperatures=(ReeferReading(channel="B", celsius=3.0),), door_open=True),
        ]
    )
    log = await history.temperature_log(v, t[0], t[3] + timedelta(seconds=1), limit=100)
    assert [r["device_time"] for r in log] == [t[0], t[2], t[3]]
    assert log[0]["readings"] == [
        {"channel": "A", "celsius": -19.0, "state": "ok", "setpoint_celsius": None},
        {"channel": "B", "celsius": None, "state": "unused", "setpoint_celsius": None},
    ]
    assert log[0]["received_at"] == t[0] + timedelta(seconds=3)
    assert (log[2]["door_open"], log[1]["readings"][0]["state"]) == (True, "probe_disconnected")
    channel_a = await history.temperature_log(v, t[0], t[3], limit=100, channel="A")
    assert [(r["device_time"], [x["channel"] for x in r["readings"]]) for r in channel_a] == [
        (t[0], ["A"]),
        (t[2], ["A"]),
    ]
    paged = await history.temperature_log(v, t[0], t[3] + timedelta(seconds=1), limit=1, after=t[0])
    assert [r["device_time"] for r in paged] == [t[2]]


async def test_retention_drops_whole_old_days_and_never_default(engine: AsyncEngine) -> None:
    far = date(2031, 6, 1)
    keep_all = PartitionMaintainer(engine, PartitionPolicy(behind_days=3, ahead_days=0))
    await keep_all.run(today=far)
    v = vehicle()
    old = datetime(2031, 5, 29, 12, tzinfo=UTC)
    await PositionHistory(engine).append([fix(v, old)])
    await PartitionMaintainer(engine, PartitionPolicy(behind_days=0, ahead_days=0, retention_days=2)).run(
        today=far
    )
    names = await keep_all.partitions()
    assert "positions_p20310529" not in names
    assert {"positions_p20310530", "positions_p20310531", "positions_p20310601", "positions_default"} <= set(
        names
    )
    assert await PositionHistory(engine).between(v, old, old + timedelta(seconds=1), limit=1) == []
