"""Which compartments each order of a route occupies (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import RouteAssigned, StopKind, TemperatureZone
from coldchain_contracts.dispatch import AssignedStop, CompartmentLoad
from coldchain_tracking.route_compartments import order_channels

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FROZEN, CHILLED = TemperatureZone.FROZEN, TemperatureZone.CHILLED


def stop(seq: int, order: uuid.UUID, kind: StopKind, load: dict[str, float]) -> AssignedStop:
    return AssignedStop(
        sequence=seq,
        order_id=order,
        kind=kind,
        latitude=37.5,
        longitude=127.0,
        planned_arrival=T0 + timedelta(minutes=seq),
        planned_departure=T0 + timedelta(minutes=seq + 1),
        load_after=tuple(
            CompartmentLoad(compartment=ch, zone=FROZEN if ch == "A" else CHILLED, pallets=p)
            for ch, p in load.items()
        ),
    )


def route(*stops: AssignedStop) -> RouteAssigned:
    return RouteAssigned(vehicle_id="v1", plan_id=uuid.uuid4(), revision=1, stops=stops)


def test_each_order_occupies_the_compartments_whose_load_rises_at_its_pick_up() -> None:
    frozen, chilled = uuid.uuid4(), uuid.uuid4()
    found = order_channels(
        route(
            stop(0, frozen, StopKind.PICKUP, {"A": 4}),
            stop(1, chilled, StopKind.PICKUP, {"A": 4, "B": 3}),
            stop(2, frozen, StopKind.DELIVERY, {"A": 0, "B": 3}),
            stop(3, chilled, StopKind.DELIVERY, {"A": 0, "B": 0}),
        )
    )
    assert found == {frozen: ("A",), chilled: ("B",)}


def test_an_order_picked_up_first_or_already_on_board_is_placed_by_its_delivery() -> None:
    on_board, later = uuid.uuid4(), uuid.uuid4()
    found = order_channels(
        route(
            stop(0, later, StopKind.PICKUP, {"A": 6, "B": 2}),  # B already carries the on-board order
            stop(1, on_board, StopKind.DELIVERY, {"A": 6, "B": 0}),
            stop(2, later, StopKind.DELIVERY, {"A": 0, "B": 0}),
        )
    )
    assert found == {on_board: ("B",), later: ("A",)}


def test_an_order_split_over_two_compartments_occupies_both() -> None:
    big = uuid.uuid4()
    found = order_channels(
        route(
            stop(0, uuid.uuid4(), StopKind.PICKUP, {}),
            stop(1, big, StopKind.PICKUP, {"A": 8, "B": 6}),
            stop(2, big, StopKind.DELIVERY, {}),
        )
    )
    assert found[big] == ("A", "B")


def test_a_route_without_loads_places_nobody() -> None:
    order = uuid.uuid4()
    assert (
        order_channels(route(stop(0, order, StopKind.PICKUP, {}), stop(1, order, StopKind.DELIVERY, {})))
        == {}
    )
