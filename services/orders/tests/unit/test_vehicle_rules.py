"""The rules a vehicle's own fields must keep, its published record, and its import row."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from coldchain_contracts import SiteUpserted
from coldchain_orders.imports import RowError
from coldchain_orders.vehicle_import import vehicle_from_row
from coldchain_orders.vehicle_rules import problems, to_record
from coldchain_orders.vehicle_schemas import VEHICLE_EXAMPLE, VehicleIn

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def vehicle(**changes: Any) -> VehicleIn:
    return VehicleIn.model_validate({**VEHICLE_EXAMPLE, **changes})


def test_the_documented_example_is_valid() -> None:
    assert problems(vehicle()) == []


def test_a_channel_used_twice_is_refused() -> None:
    parts = [
        {"channel": "A", "zone": "frozen", "pallets": 4},
        {"channel": "A", "zone": "chilled", "pallets": 4},
    ]
    assert problems(vehicle(compartments=parts)) == ["compartments: channel 'A' is used by 2 compartments"]


@pytest.mark.parametrize(
    ("zone", "setpoint"), [("frozen", -10), ("frozen", -30), ("chilled", 9), ("chilled", -5)]
)
def test_a_setpoint_outside_its_zones_band_is_refused(zone: str, setpoint: float) -> None:
    body = "frozen" if zone == "frozen" else "chilled"
    parts = [{"channel": "A", "zone": zone, "setpoint_celsius": setpoint, "pallets": 8}]
    [reason] = problems(vehicle(body_type=body, compartments=parts))
    assert reason.startswith("compartments.0.setpoint_celsius:")
    assert f"outside the {zone} band" in reason


def test_body_and_compartments_must_agree() -> None:
    chilled_in_frozen = [{"channel": "A", "zone": "chilled", "pallets": 8}]
    assert (
        "a frozen body has only frozen"
        in problems(vehicle(body_type="frozen", compartments=chilled_in_frozen))[0]
    )
    one_part = [{"channel": "A", "zone": "frozen", "pallets": 8}]
    assert "dual body has exactly two" in problems(vehicle(body_type="dual", compartments=one_part))[0]
    assert "at least one compartment" in problems(vehicle(body_type="ambient", compartments=[]))[0]


def test_weekdays_and_devices_are_checked() -> None:
    found = problems(
        vehicle(shift={"weekdays": [0, 0, 9], "start": "08:00", "end": "18:00"}, device_ids=["d", "d"])
    )
    assert found == [
        "shift.weekdays: distinct weekdays 0 (Monday) to 6 (Sunday)",
        "device_ids: 'd' is listed 2 times",
    ]


def test_the_record_carries_the_depot_site_coordinates_and_the_shift() -> None:
    depot = SiteUpserted(
        site_id="depot-icheon", code="depot-icheon", latitude=37.2, longitude=127.4, producer="t"
    )
    record = to_record("truck-07", vehicle(), depot, NOW)
    assert (record.depot.latitude, record.depot.longitude, record.depot.site_id) == (
        37.2,
        127.4,
        "depot-icheon",
    )
    assert (record.shift_start, record.shift_end, record.shift_weekdays) == (
        time(8),
        time(18),
        (0, 1, 2, 3, 4),
    )
    assert [(c.channel, c.zone.value, c.setpoint_celsius) for c in record.compartments] == [
        ("A", "frozen", -20),
        ("B", "chilled", 3),
    ]
    assert record.device_ids == ("sim-0001",)
    assert record.name == "Truck 07"


def test_an_import_row_becomes_the_apis_document() -> None:
    row = {"vehicle_id": "t-1", "body_type": "Dual", "compartments": "A:frozen:-20:8; B:chilled::6",
           "shift_weekdays": "Mon-Fri", "shift_start": "08:00", "shift_end": "18:00",
           "device_ids": "d-1; d-2", "forklift": "yes", "weight_capacity_kg": "5000"}  # fmt: skip
    vehicle_id, fields = vehicle_from_row(row)
    parsed = VehicleIn.model_validate(fields)
    assert vehicle_id == "t-1"
    assert problems(parsed) == []
    assert parsed.shift is not None
    assert parsed.shift.weekdays == [0, 1, 2, 3, 4]
    assert parsed.compartments[1].setpoint_celsius is None
    assert parsed.device_ids == ["d-1", "d-2"]
    assert parsed.forklift
    assert parsed.weight_capacity_kg == 5000


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"compartments": "A:frozen:8"}, "is not channel:zone:setpoint:pallets"),
        ({"compartments": "A:frozen:cold:8"}, "not a number"),
        ({"compartments": "A:frozen:-20:8", "shift_start": "08:00"}, "give both or neither"),
        ({"compartments": "A:frozen:-20:8", "forklift": "maybe"}, "forklift"),
        (
            {
                "compartments": "A:frozen:-20:8",
                "shift_start": "8:00",
                "shift_end": "9:00",
                "shift_weekdays": "Xyz",
            },
            "unknown weekday",
        ),
    ],
)
def test_a_bad_import_row_says_which_column(row: dict[str, str], message: str) -> None:
    with pytest.raises(RowError, match=message):
        vehicle_from_row({"vehicle_id": "t", "body_type": "frozen", **row})
