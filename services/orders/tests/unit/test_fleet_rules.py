"""Vehicle rules: every problem found, with a sentence that names the field; and the record
a valid vehicle is published as."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from coldchain_contracts import BodyType, SiteUpserted, TemperatureZone
from coldchain_orders.fleet_rules import registered, vehicle_problems
from coldchain_orders.vehicle_schemas import VEHICLE_EXAMPLE, VehicleIn

pytestmark = pytest.mark.unit
DEPOT = SiteUpserted(site_id="depot-icheon", code="depot-icheon", latitude=37.2, longitude=127.4)
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def vehicle(**changes: Any) -> VehicleIn:
    return VehicleIn.model_validate({**VEHICLE_EXAMPLE, **changes})


def problems(
    v: VehicleIn, depot: SiteUpserted | None = DEPOT, taken: dict[str, str] | None = None
) -> list[str]:
    return vehicle_problems(v, depot, taken or {})


def test_the_documented_example_is_valid() -> None:
    assert problems(vehicle()) == []


def test_unknown_or_inactive_depot_site() -> None:
    expected = ["depot_site_id: 'depot-icheon' is not a known active site"]
    assert problems(vehicle(), depot=None) == expected
    assert problems(vehicle(), depot=DEPOT.model_copy(update={"active": False})) == expected


def test_duplicated_channel_is_found_case_insensitively() -> None:
    v = vehicle(
        compartments=[
            {"channel": "A", "zone": "frozen", "pallets": 8},
            {"channel": "a", "zone": "chilled", "pallets": 6},
        ]
    )
    assert problems(v) == ["compartments.1.channel: channel 'a' is used twice"]


@pytest.mark.parametrize(
    ("zone", "setpoint", "ok"),
    [
        ("frozen", -25, True),
        ("frozen", -15, True),
        ("frozen", -14.5, False),
        ("frozen", -26, False),
        ("chilled", -2, True),
        ("chilled", 7, True),
        ("chilled", 8, False),
        ("chilled", -3, False),
    ],
)
def test_setpoint_must_be_inside_its_zones_critical_band(zone: str, setpoint: float, ok: bool) -> None:
    body = "frozen" if zone == "frozen" else "chilled"
    v = vehicle(
        body_type=body,
        compartments=[{"channel": "A", "zone": zone, "setpoint_celsius": setpoint, "pallets": 8}],
    )
    found = problems(v)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].startswith("compartments.0.setpoint_celsius:")
        assert "outside the" in found[0]


def test_ambient_setpoint_is_free() -> None:
    v = vehicle(
        body_type="ambient",
        compartments=[{"channel": "A", "zone": "ambient", "setpoint_celsius": 30, "pallets": 8}],
    )
    assert problems(v) == []


def test_ambient_body_cannot_carry_refrigerated_compartments() -> None:
    v = vehicle(body_type="ambient")  # the example's frozen and chilled compartments
    assert problems(v) == ["body_type: an ambient body cannot have a chilled or frozen compartment"]


def test_a_dual_body_needs_one_frozen_and_one_chilled_compartment() -> None:
    v = vehicle(compartments=[{"channel": "A", "zone": "frozen", "pallets": 8}])
    assert problems(v) == ["body_type: a dual body has one frozen and one chilled compartment, not frozen"]


def test_a_device_bound_to_another_vehicle() -> None:
    assert problems(vehicle(), taken={"sim-0001": "truck-02"}) == [
        "device_ids: device 'sim-0001' is bound to vehicle 'truck-02'"
    ]


def test_shift_with_repeated_weekday_or_no_length() -> None:
    v = vehicle(shift={"weekdays": [0, 0], "start": "08:00", "end": "08:00"})
    assert problems(v) == [
        "shift.weekdays: a weekday is listed twice",
        "shift: start and end are the same time",
    ]


def test_every_problem_is_reported_at_once() -> None:
    v = vehicle(body_type="ambient", device_ids=["sim-0001", "sim-0001"])
    assert len(problems(v, depot=None, taken={"sim-0001": "x"})) == 4


def test_shapes_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError):
        vehicle(shift={"weekdays": [7], "start": "08:00", "end": "18:00"})
    with pytest.raises(ValidationError):
        vehicle(device_ids=["bad id\x00"])
    with pytest.raises(ValidationError):
        vehicle(compartments=[])


def test_the_published_record_carries_depot_position_and_shift() -> None:
    record = registered(
        "truck-07", vehicle(shift={"weekdays": [4, 0, 2], "start": "22:00", "end": "06:00"}), DEPOT, NOW
    )
    assert record.vehicle_id == "truck-07"
    assert record.name == "Truck 07"
    assert record.body_type == BodyType.DUAL
    assert record.depot is not None
    assert (record.depot.latitude, record.depot.site_id) == (
        37.2,
        "depot-icheon",
    )
    assert (record.shift_start, record.shift_end, record.shift_weekdays) == (time(22), time(6), (0, 2, 4))
    assert [(c.channel, c.zone, c.setpoint_celsius) for c in record.compartments] == [
        ("A", TemperatureZone.FROZEN, -20),
        ("B", TemperatureZone.CHILLED, 3),
    ]
    assert record.volume_capacity_m3 == 30
    assert record.device_ids == ("sim-0001",)
    assert record.producer == "orders"
