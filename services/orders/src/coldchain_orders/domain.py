"""The order lifecycle as a pure state machine: values in, a new order and its events out.

Every function takes the current `Order` (or a command) and returns `Applied` (the
order after the change plus the events that record it, each with the next version)
or `Refused` (a reason; the order is unchanged). Nothing here does I/O: the
handlers load what a decision needs (sites, whether a number is taken), call these
functions, and persist the result together with its events in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from coldchain_contracts import (
    OrderAccepted,
    OrderAmended,
    OrderAssigned,
    OrderCancelled,
    OrderChanges,
    OrderCommandRefused,
    OrderDelivered,
    OrderEvent,
    OrderFailed,
    OrderPickedUp,
    OrderPlanned,
    OrderReceived,
    OrderRejected,
    OrderSpec,
    OrderStatus,
    OrderStopArrived,
    OrderUnassigned,
    PlaceOrder,
    RejectionReason,
    SiteUpserted,
    StopKind,
)
from coldchain_orders.validation import rejection_reasons

S = OrderStatus
PRODUCER = "orders"

TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PLANNED, S.ASSIGNED, S.CANCELLED}),
    S.PLANNED: frozenset({S.ASSIGNED, S.CANCELLED}),
    # assigned → assigned: moved to another vehicle; assigned → accepted: taken off its route.
    S.ASSIGNED: frozenset({S.ASSIGNED, S.ACCEPTED, S.PICKED_UP, S.CANCELLED, S.FAILED}),
    # Goods on board cannot be cancelled, only delivered or failed.
    S.PICKED_UP: frozenset({S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
}
AMENDABLE = frozenset({S.ACCEPTED, S.PLANNED})


@dataclass(frozen=True, slots=True)
class Order:
    order_id: uuid.UUID
    operator_id: str
    spec: OrderSpec
    status: OrderStatus
    version: int
    updated_at: datetime
    vehicle_id: str | None = None
    plan_id: uuid.UUID | None = None
    route_revision: int | None = None
    rejection_reasons: tuple[RejectionReason, ...] = ()
    pickup_arrived_at: datetime | None = None
    picked_up_at: datetime | None = None
    dropoff_arrived_at: datetime | None = None
    delivered_at: datetime | None = None
    pickup_on_time: bool | None = None
    delivery_on_time: bool | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    order: Order
    events: tuple[OrderEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


Outcome = Applied | Refused


@dataclass(frozen=True, slots=True)
class Checks:
    """What validating an order needs from outside: the sites it names, number uniqueness."""

    sites: Mapping[str, SiteUpserted]
    number_taken: bool
    timezone: ZoneInfo
    now: datetime


@dataclass(frozen=True, slots=True)
class Cause:
    """The message that caused a change: its id becomes the events' causation id."""

    event_id: uuid.UUID
    correlation_id: uuid.UUID | None = None


E = TypeVar("E", bound=OrderEvent)


def illegal(order: Order, target: OrderStatus) -> str | None:
    """Why moving `order` to `target` is not allowed, or None when it is."""
    if target in TRANSITIONS[order.status]:
        return None
    allowed = ", ".join(sorted(TRANSITIONS[order.status])) or "nothing (final state)"
    return (
        f"an order that is {order.status} cannot become {target}; from {order.status} it may become {allowed}"
    )


def _event(subject: Order, event_type: type[E], cause: Cause, now: datetime, /, **fields: Any) -> E:
    return event_type(
        order_id=subject.order_id,
        order_number=subject.spec.order_number,
        status=subject.status,
        version=subject.version,
        producer=PRODUCER,
        occurred_at=now,
        causation_id=cause.event_id,
        correlation_id=cause.correlation_id,
        **fields,
    )


def _advance(order: Order, now: datetime, **changes: Any) -> Order:
    return replace(order, version=order.version + 1, updated_at=now, **changes)


def place(command: PlaceOrder, checks: Checks) -> Applied:
    """received, then at once accepted or rejected with every reason found."""
    now = checks.now
    cause = Cause(command.event_id, command.correlation_id)
    received = Order(
        order_id=command.order_id,
        operator_id=command.operator_id,
        spec=command.order,
        status=S.RECEIVED,
        version=1,
        updated_at=now,
    )
    first = _event(received, OrderReceived, cause, now, operator_id=command.operator_id, order=command.order)
    problems = rejection_reasons(
        command.order, checks.sites, checks.number_taken, checks.now, checks.timezone
    )
    if problems:
        reasons = tuple(dict.fromkeys(reason for reason, _ in problems))
        rejected = _advance(received, now, status=S.REJECTED, rejection_reasons=reasons)
        detail = "; ".join(text for _, text in problems)
        return Applied(
            rejected,
            (first, _event(rejected, OrderRejected, cause, now, reasons=reasons, detail=detail)),
        )
    accepted = _advance(received, now, status=S.ACCEPTED)
    return Applied(
        accepted,
        (
            first,
            _event(accepted, OrderAccepted, cause, now, operator_id=command.operator_id, order=command.order),
        ),
    )


def amended_spec(spec: OrderSpec, changes: OrderChanges) -> OrderSpec:
    """The spec with the given fields replaced, validated as a whole again."""
    update = {name: value for name, value in changes if value is not None}
    return OrderSpec.model_validate({**spec.model_dump(), **update})


def amend(order: Order, spec: OrderSpec, checks: Checks, cause: Cause) -> Outcome:
    """Replace the order's content while it is not yet on a vehicle; re-validated like a new order."""
    if order.status not in AMENDABLE:
        return Refused(
            f"an order that is {order.status} cannot be amended; only accepted or planned orders can"
        )
    problems = rejection_reasons(spec, checks.sites, checks.number_taken, checks.now, checks.timezone)
    if problems:
        return Refused("amendment refused: " + "; ".join(f"{r}: {text}" for r, text in problems))
    changed = _advance(order, checks.now, spec=spec)
    return Applied(changed, (_event(changed, OrderAmended, cause, checks.now, order=spec),))


def cancel(order: Order, reason: str, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.CANCELLED):
        return Refused(why)
    done = _advance(order, now, status=S.CANCELLED)
    return Applied(done, (_event(done, OrderCancelled, cause, now, reason=reason),))


def fail(order: Order, reason: str, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.FAILED):
        return Refused(why)
    done = _advance(order, now, status=S.FAILED)
    return Applied(done, (_event(done, OrderFailed, cause, now, reason=reason),))


def mark_planned(order: Order, plan_id: uuid.UUID, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.PLANNED):
        return Refused(why)
    done = _advance(order, now, status=S.PLANNED, plan_id=plan_id)
    return Applied(done, (_event(done, OrderPlanned, cause, now, plan_id=plan_id),))


@dataclass(frozen=True, slots=True)
class Assignment:
    """The order's place on one vehicle's route (from a RouteAssigned)."""

    vehicle_id: str
    plan_id: uuid.UUID
    revision: int
    planned_pickup_at: datetime | None = None
    planned_delivery_at: datetime | None = None


def assign(order: Order, assignment: Assignment, cause: Cause, now: datetime) -> Outcome:
    """Put the order on a vehicle. A newer route of the same vehicle only updates the revision."""
    same_vehicle = order.status == S.ASSIGNED and order.vehicle_id == assignment.vehicle_id
    if same_vehicle:
        if order.route_revision is not None and assignment.revision <= order.route_revision:
            return Refused(f"route revision {assignment.revision} is not newer than {order.route_revision}")
        return Applied(replace(order, route_revision=assignment.revision, updated_at=now))
    if why := illegal(order, S.ASSIGNED):
        return Refused(why)
    done = _advance(
        order,
        now,
        status=S.ASSIGNED,
        vehicle_id=assignment.vehicle_id,
        plan_id=assignment.plan_id,
        route_revision=assignment.revision,
    )
    event = _event(
        done,
        OrderAssigned,
        cause,
        now,
        vehicle_id=assignment.vehicle_id,
        plan_id=assignment.plan_id,
        route_revision=assignment.revision,
        planned_pickup_at=assignment.planned_pickup_at,
        planned_delivery_at=assignment.planned_delivery_at,
    )
    return Applied(done, (event,))


def unassign(order: Order, vehicle_id: str, revision: int, cause: Cause, now: datetime) -> Outcome:
    """The vehicle's newer route no longer has the order: it is open (accepted) again."""
    if order.status != S.ASSIGNED or order.vehicle_id != vehicle_id:
        return Refused(f"the order is not assigned to {vehicle_id}")
    if order.route_revision is not None and revision <= order.route_revision:
        return Refused(f"route revision {revision} is not newer than {order.route_revision}")
    done = _advance(order, now, status=S.ACCEPTED, vehicle_id=None, route_revision=None)
    return Applied(
        done, (_event(done, OrderUnassigned, cause, now, vehicle_id=vehicle_id, route_revision=revision),)
    )


def _stop_kind(order: Order, site_id: str) -> StopKind | None:
    """Which of the order's stops a visit to `site_id` concerns, given where the order is."""
    if order.status == S.ASSIGNED and order.spec.pickup.site_id == site_id:
        return StopKind.PICKUP
    if order.status == S.PICKED_UP and order.spec.dropoff.site_id == site_id:
        return StopKind.DELIVERY
    return None


def arrive(order: Order, vehicle_id: str, site_id: str, at: datetime, cause: Cause, now: datetime) -> Outcome:
    """The order's vehicle entered the geofence of its next stop: record the arrival time."""
    kind = _stop_kind(order, site_id)
    if order.vehicle_id != vehicle_id or kind is None:
        return Refused("not this order's vehicle at its next stop")
    already = order.pickup_arrived_at if kind == StopKind.PICKUP else order.dropoff_arrived_at
    if already is not None:
        return Refused("arrival already recorded")
    field_name = "pickup_arrived_at" if kind == StopKind.PICKUP else "dropoff_arrived_at"
    done = _advance(order, now, **{field_name: at})
    event = _event(
        done, OrderStopArrived, cause, now, stop=kind, vehicle_id=vehicle_id, site_id=site_id, at=at
    )
    return Applied(done, (event,))


def _on_time(arrived: datetime | None, start: datetime, end: datetime) -> bool | None:
    return None if arrived is None else start <= arrived <= end


def depart(
    order: Order,
    vehicle_id: str,
    site_id: str,
    at: datetime,
    entered_at: datetime | None,
    cause: Cause,
    now: datetime,
) -> Outcome:
    """The vehicle left the stop's geofence: picked up (at pick-up) or delivered (at drop-off)."""
    kind = _stop_kind(order, site_id)
    if order.vehicle_id != vehicle_id or kind is None:
        return Refused("not this order's vehicle at its next stop")
    if kind == StopKind.PICKUP:
        arrived = order.pickup_arrived_at or entered_at
        on_time = _on_time(arrived, order.spec.pickup.window.start, order.spec.pickup.window.end)
        done = _advance(
            order, now, status=S.PICKED_UP, pickup_arrived_at=arrived, picked_up_at=at, pickup_on_time=on_time
        )
        return Applied(
            done,
            (
                _event(
                    done,
                    OrderPickedUp,
                    cause,
                    now,
                    vehicle_id=vehicle_id,
                    arrived_at=arrived,
                    departed_at=at,
                    on_time=on_time,
                ),
            ),
        )
    arrived = order.dropoff_arrived_at or entered_at
    on_time = _on_time(arrived, order.spec.dropoff.window.start, order.spec.dropoff.window.end)
    done = _advance(
        order, now, status=S.DELIVERED, dropoff_arrived_at=arrived, delivered_at=at, delivery_on_time=on_time
    )
    event = _event(
        done,
        OrderDelivered,
        cause,
        now,
        vehicle_id=vehicle_id,
        arrived_at=arrived,
        departed_at=at,
        on_time=on_time,
    )
    return Applied(done, (event,))


def refusal(order: Order, command_type: str, command_id: uuid.UUID, reason: str, now: datetime) -> OrderEvent:
    """The event that tells the sender why its command changed nothing (version unchanged)."""
    return _event(
        order,
        OrderCommandRefused,
        Cause(command_id),
        now,
        command_type=command_type,
        command_id=command_id,
        reason=reason,
    )
