"""The order lifecycle: every legal transition applies with its event, every illegal one is
refused with a reason and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest
from order_builders import NOW, at, checks, in_hours, order, place_command, spec

from coldchain_contracts import OrderChanges, OrderStatus, StopKind
from coldchain_orders import domain, progress
from coldchain_orders.domain import Applied, Cause, Order, Outcome, Refused
from coldchain_orders.progress import Assignment

pytestmark = pytest.mark.unit
S = OrderStatus
CAUSE = Cause(uuid.uuid4())
ALL = tuple(S)

Action = Callable[[Order], Outcome]
ACTIONS: dict[str, tuple[Action, S, set[S]]] = {
    # name: (action, status it leads to, statuses it is legal from)
    "cancel": (
        lambda o: domain.cancel(o, "customer", CAUSE, NOW),
        S.CANCELLED,
        {S.RECEIVED, S.ACCEPTED, S.PLANNED, S.ASSIGNED},
    ),
    "fail": (lambda o: domain.fail(o, "refused at door", CAUSE, NOW), S.FAILED, {S.ASSIGNED, S.PICKED_UP}),
    "plan": (lambda o: domain.mark_planned(o, uuid.uuid4(), CAUSE, NOW), S.PLANNED, {S.ACCEPTED}),
    "assign to another vehicle": (
        lambda o: progress.assign(o, Assignment("V2", uuid.uuid4(), 1), CAUSE, NOW),
        S.ASSIGNED,
        {S.ACCEPTED, S.PLANNED, S.ASSIGNED},
    ),
    "taken off its route": (lambda o: progress.unassign(o, "V1", 2, CAUSE, NOW), S.ACCEPTED, {S.ASSIGNED}),
    "leave pick-up": (
        lambda o: progress.depart(o, "V1", "P", in_hours(30), None, CAUSE, NOW),
        S.PICKED_UP,
        {S.ASSIGNED},
    ),
    "leave drop-off": (
        lambda o: progress.depart(o, "V1", "D", in_hours(33), None, CAUSE, NOW),
        S.DELIVERED,
        {S.PICKED_UP},
    ),
    "amend": (
        lambda o: domain.amend(o, spec(pallets=8), checks(), CAUSE),
        "unchanged",  # type: ignore[dict-item]
        {S.ACCEPTED, S.PLANNED},
    ),
}


@pytest.mark.parametrize("status", ALL, ids=str)
@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_applies_exactly_from_its_legal_states(name: str, status: S) -> None:
    action, target, legal_from = ACTIONS[name]
    before = order(status)
    outcome = action(before)
    if status in legal_from:
        assert isinstance(outcome, Applied), outcome
        expected = status if target == "unchanged" else target
        assert outcome.order.status == expected
        assert outcome.order.version == before.version + 1
        [event] = outcome.events
        assert (event.status, event.version, event.order_id) == (
            expected,
            before.version + 1,
            before.order_id,
        )
        assert event.causation_id == CAUSE.event_id
    else:
        assert isinstance(outcome, Refused)
        assert outcome.reason, "a refusal says why"


def test_the_transition_table_has_no_way_out_of_a_final_state() -> None:
    for final in (S.DELIVERED, S.REJECTED, S.CANCELLED, S.FAILED):
        assert domain.TRANSITIONS[final] == frozenset()
        assert "final state" in (domain.illegal(order(final), S.ACCEPTED) or "")


def test_a_refused_cancel_names_the_states_that_are_possible() -> None:
    outcome = domain.cancel(order(S.PICKED_UP), "", CAUSE, NOW)
    assert outcome == Refused(
        "an order that is picked_up cannot become cancelled; from picked_up it may become delivered, failed"
    )


def test_a_valid_order_is_received_then_accepted() -> None:
    command = place_command()
    outcome = domain.place(command, checks())
    assert [e.event_type for e in outcome.events] == ["OrderReceived", "OrderAccepted"]
    assert [(e.status, e.version) for e in outcome.events] == [(S.RECEIVED, 1), (S.ACCEPTED, 2)]
    assert outcome.order.status == S.ACCEPTED
    assert all(e.causation_id == command.event_id for e in outcome.events)


def test_an_invalid_order_is_received_then_rejected_with_every_reason() -> None:
    outcome = domain.place(place_command(), checks(sites={}, taken=True))
    _, rejected = outcome.events
    assert outcome.order.status == S.REJECTED
    assert rejected.event_type == "OrderRejected"
    assert set(rejected.reasons) == {"duplicate_number", "unknown_site"}  # type: ignore[attr-defined]
    assert "'P' is unknown" in rejected.detail  # type: ignore[attr-defined]


def test_an_amendment_that_makes_the_order_invalid_is_refused() -> None:
    before = order(S.ACCEPTED)
    changed = domain.amended_spec(
        before.spec, OrderChanges(dropoff=spec().dropoff.model_copy(update={"site_id": "X"}))
    )
    outcome = domain.amend(before, changed, checks(), CAUSE)
    assert isinstance(outcome, Refused)
    assert "unknown_site" in outcome.reason


def test_amended_spec_keeps_what_was_not_given() -> None:
    changed = domain.amended_spec(spec(), OrderChanges(pallets=9, notes="fragile"))
    assert (changed.pallets, changed.notes, changed.weight_kg, changed.order_number) == (
        9,
        "fragile",
        540,
        "PO-1",
    )


def test_a_newer_route_of_the_same_vehicle_only_updates_the_revision() -> None:
    before = order(S.ASSIGNED)
    outcome = progress.assign(before, Assignment("V1", uuid.uuid4(), 5), CAUSE, NOW)
    assert isinstance(outcome, Applied)
    assert outcome.events == ()
    assert (outcome.order.status, outcome.order.route_revision, outcome.order.version) == (S.ASSIGNED, 5, 3)


def test_an_older_route_revision_is_ignored() -> None:
    before = order(S.ASSIGNED, route_revision=4)
    assert isinstance(progress.assign(before, Assignment("V1", uuid.uuid4(), 3), CAUSE, NOW), Refused)
    assert isinstance(progress.unassign(before, "V1", 4, CAUSE, NOW), Refused)


def test_another_vehicles_route_does_not_unassign() -> None:
    assert isinstance(progress.unassign(order(S.ASSIGNED), "V9", 9, CAUSE, NOW), Refused)


def test_arrival_then_departure_at_pickup_records_both_times_and_punctuality() -> None:
    arrived = progress.arrive(order(S.ASSIGNED), "V1", "P", at(7), CAUSE, NOW)
    assert isinstance(arrived, Applied)
    [event] = arrived.events
    assert (event.event_type, event.status, event.stop) == ("OrderStopArrived", S.ASSIGNED, StopKind.PICKUP)  # type: ignore[attr-defined]
    left = progress.depart(arrived.order, "V1", "P", at(7, 40), None, CAUSE, NOW)
    assert isinstance(left, Applied)
    assert left.order.status == S.PICKED_UP
    assert (left.order.pickup_arrived_at, left.order.picked_up_at, left.order.pickup_on_time) == (
        at(7),
        at(7, 40),
        True,
    )


def test_a_late_arrival_at_dropoff_is_delivered_but_not_on_time() -> None:
    loaded = order(S.PICKED_UP)
    outcome = progress.depart(loaded, "V1", "D", at(12, 30), at(11, 45), CAUSE, NOW)
    assert isinstance(outcome, Applied)
    assert outcome.order.status == S.DELIVERED
    assert outcome.order.dropoff_arrived_at == at(11, 45), "the exit event's entered_at is the arrival"
    assert outcome.order.delivery_on_time is False


def test_visits_that_are_not_the_orders_next_stop_change_nothing() -> None:
    assigned = order(S.ASSIGNED)
    assert isinstance(progress.depart(assigned, "V1", "D", at(10), None, CAUSE, NOW), Refused), (
        "drop-off before pick-up"
    )
    assert isinstance(progress.depart(assigned, "V2", "P", at(7), None, CAUSE, NOW), Refused), (
        "another vehicle"
    )
    assert isinstance(
        progress.arrive(order(S.DELIVERED, vehicle_id="V1"), "V1", "D", at(10), CAUSE, NOW), Refused
    )
    twice = progress.arrive(order(S.ASSIGNED, pickup_arrived_at=at(6, 50)), "V1", "P", at(7), CAUSE, NOW)
    assert twice == Refused("arrival already recorded")


def test_a_refusal_event_keeps_the_version() -> None:
    before = order(S.DELIVERED)
    command_id = uuid.uuid4()
    event = domain.refusal(before, "CancelOrder", command_id, "no", NOW)
    assert (event.event_type, event.version, event.status, event.causation_id) == (
        "OrderCommandRefused",
        before.version,
        S.DELIVERED,
        command_id,
    )


def _trip(dropoff: str, pickup_at: datetime, delivery_at: datetime, status: S = S.ASSIGNED) -> Order:
    window = {"start": at(6), "end": at(20)}
    return order(
        status,
        spec=spec(dropoff={"site_id": dropoff, "window": window}),
        planned_pickup_at=pickup_at,
        planned_delivery_at=delivery_at,
    )


def test_a_visit_to_the_hub_picks_up_only_the_orders_of_the_trip_that_is_due() -> None:
    """The route loads at P, delivers at D1, comes back to P, delivers at D2: the first
    departure from P picks up the first trip only."""
    first = _trip("D1", at(7), at(8))
    also_first = _trip("D1", at(7, 5), at(8, 10))
    second = _trip("D2", at(10), at(11))
    assert progress.on_a_later_trip([first, also_first, second]) == {second.order_id}
    delivered_first = replace(first, status=S.DELIVERED)
    delivered_also = replace(also_first, status=S.DELIVERED)
    assert progress.on_a_later_trip([delivered_first, delivered_also, second]) == frozenset(), (
        "once the first trip's deliveries are made, the hub visit is the second trip's"
    )


def test_without_a_revisit_of_the_pickup_site_no_order_waits() -> None:
    """Pick-ups at another site, or no planned times (routes before this rule), keep the
    plain rule: a visit to the order's next stop counts."""
    here = _trip("D1", at(7), at(8))
    elsewhere = order(
        S.ASSIGNED,
        spec=spec(pickup={"site_id": "Q", "window": {"start": at(6), "end": at(20)}}),
        planned_pickup_at=at(10),
        planned_delivery_at=at(11),
    )
    assert progress.on_a_later_trip([here, elsewhere]) == frozenset()
    assert progress.on_a_later_trip([order(S.ASSIGNED), order(S.ASSIGNED)]) == frozenset()


def test_a_newer_route_of_the_same_vehicle_updates_the_planned_stop_times() -> None:
    route = Assignment("V1", uuid.uuid4(), 5, planned_pickup_at=at(7), planned_delivery_at=at(9))
    outcome = progress.assign(order(S.ASSIGNED), route, CAUSE, NOW)
    assert isinstance(outcome, Applied)
    assert (outcome.order.planned_pickup_at, outcome.order.planned_delivery_at) == (at(7), at(9))
    off = progress.unassign(outcome.order, "V1", 6, CAUSE, NOW)
    assert isinstance(off, Applied)
    assert (off.order.planned_pickup_at, off.order.planned_delivery_at) == (None, None)
