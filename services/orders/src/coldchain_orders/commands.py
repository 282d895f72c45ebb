"""Use cases: one command (or fact from another service) applied to the orders it concerns.

Each function runs inside the caller's transaction: it loads and locks what the
decision needs, calls the pure domain, and writes the new state together with its
events (history + outbox). Refused commands write an `OrderCommandRefused` event so
the sender can see why nothing changed.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_contracts import (
    AmendOrder,
    CancelOrder,
    FailOrder,
    GeofenceEntered,
    GeofenceExited,
    MarkOrderPlanned,
    OrderSpec,
    PlaceOrder,
    RouteAssigned,
    StopKind,
)
from coldchain_contracts.orders import OrderCommand
from coldchain_orders import domain, progress
from coldchain_orders import repository as repo
from coldchain_orders.domain import Applied, Cause, Checks, Order, Outcome
from coldchain_orders.progress import Assignment
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)


async def _write(
    conn: AsyncConnection, before: Order, outcome: Outcome, trace: str | None, now: datetime
) -> Outcome:
    if isinstance(outcome, Applied) and outcome.order != before:
        await repo.save_order(conn, outcome.order, new=False)
        await repo.record_events(conn, outcome.events, trace, now)
    return outcome


async def _checks(
    conn: AsyncConnection,
    operator_id: str,
    spec: OrderSpec,
    tz: ZoneInfo,
    now: datetime,
    except_id: uuid.UUID | None = None,
) -> Checks:
    """What validating `spec` needs from the database: its sites, whether its number is taken."""
    return Checks(
        sites=await repo.sites_by_id(conn, (spec.pickup.site_id, spec.dropoff.site_id)),
        number_taken=await repo.number_taken(conn, operator_id, spec.order_number, except_id),
        timezone=tz,
        now=now,
    )


async def place(
    conn: AsyncConnection, command: PlaceOrder, tz: ZoneInfo, now: datetime, trace: str | None
) -> Applied | None:
    """Received, then accepted or rejected. A second PlaceOrder for the same order id changes nothing."""
    if await repo.exists(conn, command.order_id):
        log.info("order already placed", order_id=str(command.order_id))
        return None
    spec = command.order
    checks = await _checks(conn, command.operator_id, spec, tz, now)
    outcome = domain.place(command, checks)
    await repo.save_order(conn, outcome.order, new=True)
    await repo.record_events(conn, outcome.events, trace, now)
    return outcome


async def _refuse(
    conn: AsyncConnection, order: Order, command: OrderCommand, reason: str, trace: str | None, now: datetime
) -> None:
    log.info("command refused", order_id=str(order.order_id), command=command.event_type, reason=reason)
    event = domain.refusal(order, command.event_type, command.event_id, reason, now)
    await repo.record_events(conn, [event], trace, now)


async def change(
    conn: AsyncConnection,
    command: AmendOrder | CancelOrder | FailOrder | MarkOrderPlanned,
    tz: ZoneInfo,
    now: datetime,
    trace: str | None,
) -> Outcome | None:
    order = await repo.lock_order(conn, command.order_id)
    if order is None:
        log.warning(
            "command for an unknown order", order_id=str(command.order_id), command=command.event_type
        )
        return None
    cause = Cause(command.event_id, command.correlation_id)
    outcome: Outcome
    if isinstance(command, AmendOrder):
        try:
            spec = domain.amended_spec(order.spec, command.changes)
        except ValidationError as exc:
            outcome = domain.Refused(f"amendment refused: {exc.errors()[0]['msg']}")
        else:
            checks = await _checks(conn, order.operator_id, spec, tz, now, except_id=order.order_id)
            outcome = domain.amend(order, spec, checks, cause)
    elif isinstance(command, CancelOrder):
        outcome = domain.cancel(order, command.reason, cause, now)
    elif isinstance(command, FailOrder):
        outcome = domain.fail(order, command.reason, cause, now)
    else:
        outcome = domain.mark_planned(order, command.plan_id, cause, now)
    if isinstance(outcome, domain.Refused):
        await _refuse(conn, order, command, outcome.reason, trace, now)
        return outcome
    return await _write(conn, order, outcome, trace, now)


async def route_assigned(
    conn: AsyncConnection, route: RouteAssigned, now: datetime, trace: str | None
) -> None:
    """Orders on the route become assigned to its vehicle; its orders missing from it are open again."""
    on_route: dict[uuid.UUID, Assignment] = {}
    for stop in route.stops:
        known = on_route.get(stop.order_id) or Assignment(route.vehicle_id, route.plan_id, route.revision)
        if stop.kind == StopKind.PICKUP:
            known = replace(known, planned_pickup_at=stop.planned_arrival)
        else:
            known = replace(known, planned_delivery_at=stop.planned_arrival)
        on_route[stop.order_id] = known
    currently = {o.order_id for o in await repo.lock_orders_on_vehicle(conn, route.vehicle_id)}
    orders = await repo.lock_orders(conn, [*on_route, *currently])
    cause = Cause(route.event_id, route.correlation_id)
    for order_id, order in orders.items():
        assignment = on_route.get(order_id)
        if assignment is not None:
            outcome = progress.assign(order, assignment, cause, now)
        else:
            outcome = progress.unassign(order, route.vehicle_id, route.revision, cause, now)
        if isinstance(outcome, domain.Refused):
            log.debug("assignment not applied", order_id=str(order_id), reason=outcome.reason)
        await _write(conn, order, outcome, trace, now)


async def geofence(
    conn: AsyncConnection, event: GeofenceEntered | GeofenceExited, now: datetime, trace: str | None
) -> None:
    """A vehicle entered or left a site: the orders it carries to or from there move on."""
    if event.site_id is None:
        return
    cause = Cause(event.event_id, event.correlation_id)
    carried = await repo.lock_orders_on_vehicle(conn, event.vehicle_id)
    later = progress.on_a_later_trip(carried)
    for order in carried:
        if order.order_id in later:
            continue  # this visit belongs to an earlier trip of the route
        if isinstance(event, GeofenceEntered):
            outcome = progress.arrive(order, event.vehicle_id, event.site_id, event.at, cause, now)
        else:
            outcome = progress.depart(
                order, event.vehicle_id, event.site_id, event.at, event.entered_at, cause, now
            )
        await _write(conn, order, outcome, trace, now)
