"""The gateway's copy of published vehicle states (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from coldchain_gateway.live.states import LiveStates

pytestmark = pytest.mark.unit


@dataclass
class Rec:
    key: bytes | None
    value: bytes | None
    topic: str = "tracking.vehicle-state.v1"
    partition: int = 0
    offset: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def state(vehicle: str, at: str, lat: float) -> Rec:
    body = {"vehicle_id": vehicle, "device_time": at, "latitude": lat}
    return Rec(vehicle.encode(), json.dumps(body).encode())


def test_the_newest_state_by_device_time_wins_whatever_the_arrival_order() -> None:
    states = LiveStates()
    states.apply(
        [state("v1", "2026-11-26T09:00:05+00:00", 37.5), state("v1", "2026-11-26T09:00:00+00:00", 37.4)]
    )
    found = states.get("v1")
    assert found is not None
    assert json.loads(found)["latitude"] == 37.5
    assert states.get("v2") is None


def test_a_tombstone_forgets_the_vehicle_and_junk_is_ignored() -> None:
    states = LiveStates()
    states.apply([state("v1", "2026-11-26T09:00:00+00:00", 37.5), Rec(b"v9", b"not json")])
    assert len(states) == 1
    states.apply([Rec(b"v1", None)])
    assert states.get("v1") is None


def test_pages_by_vehicle_id_and_caught_up_only_at_the_start_end_offsets() -> None:
    states = LiveStates()
    assert not states.caught_up, "no end offsets known yet"
    states.expect({0: 3, 1: 0})
    records = [state(v, "2026-11-26T09:00:00+00:00", 37.5) for v in ("c", "a", "b")]
    for offset, record in enumerate(records):
        record.offset = offset
    states.apply(records[:2])
    assert not states.caught_up
    states.apply(records[2:])
    assert states.caught_up
    assert [json.loads(s)["vehicle_id"] for s in states.page(None, 2)] == ["a", "b"]
    assert [json.loads(s)["vehicle_id"] for s in states.page("b", 2)] == ["c"]
    states.apply([Rec(b"b", None, offset=3)])
    assert [json.loads(s)["vehicle_id"] for s in states.page(None, 10)] == ["a", "c"]
