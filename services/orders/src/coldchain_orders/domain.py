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
    OrderCancelled,
    OrderChanges,
    OrderCommandRefused,
    OrderEvent,
    OrderFailed,
    OrderPlanned,
    OrderReceived,
    OrderRejected,
    OrderSpec,
    OrderStatus,
    PlaceOrder,
    RejectionReason,
    SiteUpserted,
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
    planned_pickup_at: datetime | None = None
    planned_delivery_at: datetime | None = None
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


def event_of(subject: Order, event_type: type[E], cause: Cause, now: datetime, /, **fields: Any) -> E:
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


def advanced(order: Order, now: datetime, **changes: Any) -> Order:
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
    first = event_of(
        received, OrderReceived, cause, now, operator_id=command.operator_id, order=command.order
    )
    problems = rejection_reasons(
        command.order, checks.sites, checks.number_taken, checks.now, checks.timezone
    )
    if problems:
        reasons = tuple(dict.fromkeys(reason for reason, _ in problems))
        rejected = advanced(received, now, status=S.REJECTED, rejection_reasons=reasons)
        detail = "; ".join(text for _, text in problems)
        return Applied(
            rejected,
            (first, event_of(rejected, OrderRejected, cause, now, reasons=reasons, detail=detail)),
        )
    accepted = advanced(received, now, status=S.ACCEPTED)
    return Applied(
        accepted,
        (
            first,
            event_of(
                accepted, OrderAccepted, cause, now, operator_id=command.operator_id, order=command.order
            ),
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
    changed = advanced(order, checks.now, spec=spec)
    return Applied(changed, (event_of(changed, OrderAmended, cause, checks.now, order=spec),))


def cancel(order: Order, reason: str, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.CANCELLED):
        return Refused(why)
    done = advanced(order, now, status=S.CANCELLED)
    return Applied(done, (event_of(done, OrderCancelled, cause, now, reason=reason),))


def fail(order: Order, reason: str, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.FAILED):
        return Refused(why)
    done = advanced(order, now, status=S.FAILED)
    return Applied(done, (event_of(done, OrderFailed, cause, now, reason=reason),))


def mark_planned(order: Order, plan_id: uuid.UUID, cause: Cause, now: datetime) -> Outcome:
    if why := illegal(order, S.PLANNED):
        return Refused(why)
    done = advanced(order, now, status=S.PLANNED, plan_id=plan_id)
    return Applied(done, (event_of(done, OrderPlanned, cause, now, plan_id=plan_id),))


def refusal(order: Order, command_type: str, command_id: uuid.UUID, reason: str, now: datetime) -> OrderEvent:
    """The event that tells the sender why its command changed nothing (version unchanged)."""
    return event_of(
        order,
        OrderCommandRefused,
        Cause(command_id),
        now,
        command_type=command_type,
        command_id=command_id,
        reason=reason,
    )
