"""Orders on board -> the analysis `Load`, and order events -> the load row's columns (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from coldchain_contracts import AlertOpened, Compartment, TemperatureZone
from coldchain_contracts.orders import (
    OrderAccepted,
    OrderCommandRefused,
    OrderDelivered,
    OrderPickedUp,
    OrderSpec,
    OrderStatus,
    OrderStop,
    OrderUnassigned,
    TimeWindow,
)
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.loads import OnBoard, load_of
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.state import VehicleAnalysis
from coldchain_tracking.analysis.vehicle import advance
from coldchain_tracking.load_projection import columns_of

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FROZEN_A = Compartment(channel="A", zone=TemperatureZone.FROZEN, pallets=8)
FROZEN_B = Compartment(channel="B", zone=TemperatureZone.FROZEN, pallets=8)
CHILLED_C = Compartment(channel="C", zone=TemperatureZone.CHILLED, pallets=8)


def on_board(
    minutes: float,
    zone: TemperatureZone | None = TemperatureZone.FROZEN,
    setpoint: float | None = None,
    site: str | None = None,
) -> OnBoard:
    return OnBoard(
        order_id=uuid.uuid4(),
        vehicle_id="v1",
        departed_at=T0 + timedelta(minutes=minutes),
        zone=zone,
        setpoint_celsius=setpoint,
        dropoff_site_id=site,
    )


def test_nothing_on_board_is_unloaded() -> None:
    assert load_of([], (FROZEN_A,)) is None


def test_loaded_since_the_earliest_departure_bound_for_that_orders_drop_off() -> None:
    load = load_of([on_board(30, site="late"), on_board(10, site="early"), on_board(20, site="mid")], ())
    assert load is not None
    assert load.loaded_since == T0 + timedelta(minutes=10)
    assert load.destination_site_id == "early"
    assert load.setpoints == {}


def test_an_ad_hoc_drop_off_names_no_destination() -> None:
    load = load_of([on_board(0, site=None), on_board(5, site="s")], ())
    assert load is not None
    assert load.destination_site_id is None


def test_setpoint_applies_to_every_compartment_of_the_orders_zone_only() -> None:
    load = load_of(
        [on_board(0, setpoint=-22.0), on_board(5, TemperatureZone.CHILLED)], (FROZEN_A, FROZEN_B, CHILLED_C)
    )
    assert load is not None
    assert load.setpoints == {"A": -22.0, "B": -22.0}


def test_conflicting_setpoints_in_one_zone_fall_back_to_the_zone_band_agreeing_ones_apply() -> None:
    conflicting = load_of([on_board(0, setpoint=-22.0), on_board(5, setpoint=-19.0)], (FROZEN_A,))
    assert conflicting is not None
    assert conflicting.setpoints == {}
    agreeing = load_of([on_board(0, setpoint=-22.0), on_board(5, setpoint=-22.0), on_board(6)], (FROZEN_A,))
    assert agreeing is not None
    assert agreeing.setpoints == {"A": -22.0}


def test_without_known_compartments_a_setpoint_has_no_channel() -> None:
    load = load_of([on_board(0, setpoint=-22.0)], ())
    assert load is not None
    assert load.setpoints == {}


def test_the_derived_load_sets_the_band_and_drives_slow_or_stuck_from_the_pick_up_on() -> None:
    cfg = AnalysisConfig(lateness_s=0, offline_after_s=86_400, setpoint_tolerance_c=1.5)
    # Picked up at minute 30: crawling before that is not "stuck while loaded".
    ctx = AnalysisContext(
        cfg, compartments=(FROZEN_A,), load=load_of([on_board(30, setpoint=-22.0)], (FROZEN_A,))
    )
    band = ctx.band("A")
    assert band is not None
    assert (band.low, band.high) == (-23.5, -20.5)
    state, opened = VehicleAnalysis(vehicle_id="v1"), []
    for m in range(0, 90, 5):
        sample = Sample(at=T0 + timedelta(minutes=m), latitude=37.5 + m * 0.001, longitude=127.0, speed_kmh=8)
        outcome = advance(state, [sample], ctx)
        state = outcome.state
        opened += [e for e in outcome.events if isinstance(e, AlertOpened)]
    [alert] = opened
    assert alert.kind.value == "slow_or_stuck"
    assert alert.at == T0 + timedelta(minutes=30 + 40)


def spec(setpoint: float | None, site: str | None) -> OrderSpec:
    window = TimeWindow(start=T0, end=T0 + timedelta(hours=2))
    return OrderSpec(
        order_number="N-1",
        zone=TemperatureZone.CHILLED,
        setpoint_celsius=setpoint,
        pallets=2,
        weight_kg=500,
        pickup=OrderStop(site_id="depot", window=window),
        dropoff=OrderStop(site_id=site, latitude=37.5, longitude=127.0, window=window),
        requested_date=date(2026, 11, 26),
    )


def test_order_events_set_only_the_columns_they_carry() -> None:
    oid = uuid.uuid4()
    accepted = OrderAccepted(order_id=oid, status=OrderStatus.ACCEPTED, version=2, order=spec(3.0, "dst"))
    assert columns_of(accepted) == {
        "order_id": oid,
        "version": 2,
        "status": "accepted",
        "zone": "chilled",
        "setpoint_celsius": 3.0,
        "dropoff_site_id": "dst",
        "pallets": accepted.order.pallets,
    }
    picked = OrderPickedUp(
        order_id=oid,
        status=OrderStatus.PICKED_UP,
        version=5,
        vehicle_id="v1",
        arrived_at=T0 - timedelta(minutes=20),
        departed_at=T0,
        on_time=True,
    )
    assert columns_of(picked) == {
        "order_id": oid,
        "version": 5,
        "status": "picked_up",
        "vehicle_id": "v1",
        "departed_at": T0,
        "pickup_arrived_at": T0 - timedelta(minutes=20),
        "pickup_on_time": True,
    }
    delivered = OrderDelivered(
        order_id=oid,
        order_number="PO-7",
        status=OrderStatus.DELIVERED,
        version=6,
        vehicle_id="v1",
        arrived_at=T0 + timedelta(hours=1),
        departed_at=T0 + timedelta(hours=2),
        on_time=False,
    )
    assert columns_of(delivered) == {
        "order_id": oid,
        "version": 6,
        "status": "delivered",
        "order_number": "PO-7",
        "delivered_at": T0 + timedelta(hours=2),
        "dropoff_arrived_at": T0 + timedelta(hours=1),
        "delivery_on_time": False,
    }
    unassigned = OrderUnassigned(
        order_id=oid, status=OrderStatus.ACCEPTED, version=4, vehicle_id="v1", route_revision=1
    )
    assert columns_of(unassigned) == {"order_id": oid, "version": 4, "status": "accepted", "vehicle_id": None}


def test_a_refused_command_changes_nothing() -> None:
    refused = OrderCommandRefused(
        order_id=uuid.uuid4(),
        status=OrderStatus.PICKED_UP,
        version=5,
        command_type="CancelOrder",
        command_id=uuid.uuid4(),
        reason="illegal",
    )
    assert columns_of(refused) is None
