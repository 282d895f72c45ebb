"""How an order moves once it is on a vehicle: dispatch's routes and tracking's site visits.

Pure, like `domain`: a route (`assign`, `unassign`) or a geofence visit (`arrive`,
`depart`) applied to one order gives `Applied` with its events or `Refused` when it does
not concern the order (another vehicle, not its next stop, an older route revision).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from coldchain_contracts import (
    OrderAssigned,
    OrderDelivered,
    OrderPickedUp,
    OrderStatus,
    OrderStopArrived,
    OrderUnassigned,
    StopKind,
)
from coldchain_orders.domain import Applied, Cause, Order, Outcome, Refused, advanced, event_of, illegal

S = OrderStatus


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
        return Applied(
            replace(
                order,
                route_revision=assignment.revision,
                planned_pickup_at=assignment.planned_pickup_at,
                planned_delivery_at=assignment.planned_delivery_at,
                updated_at=now,
            )
        )
    if why := illegal(order, S.ASSIGNED):
        return Refused(why)
    done = advanced(
        order,
        now,
        status=S.ASSIGNED,
        vehicle_id=assignment.vehicle_id,
        plan_id=assignment.plan_id,
        route_revision=assignment.revision,
        planned_pickup_at=assignment.planned_pickup_at,
        planned_delivery_at=assignment.planned_delivery_at,
    )
    event = event_of(
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
    done = advanced(
        order,
        now,
        status=S.ACCEPTED,
        vehicle_id=None,
        route_revision=None,
        planned_pickup_at=None,
        planned_delivery_at=None,
    )
    return Applied(
        done, (event_of(done, OrderUnassigned, cause, now, vehicle_id=vehicle_id, route_revision=revision),)
    )


def _stop_kind(order: Order, site_id: str) -> StopKind | None:
    """Which of the order's stops a visit to `site_id` concerns, given where the order is."""
    if order.status == S.ASSIGNED and order.spec.pickup.site_id == site_id:
        return StopKind.PICKUP
    if order.status == S.PICKED_UP and order.spec.dropoff.site_id == site_id:
        return StopKind.DELIVERY
    return None


def on_a_later_trip(orders: Sequence[Order]) -> frozenset[uuid.UUID]:
    """The vehicle's assigned orders whose pick-up its route puts on a later trip: after a
    delivery still to be made elsewhere, at a site the route also visits before that delivery.
    A visit there now is the earlier trip's, so it neither arrives nor picks them up."""
    pending = [
        (o.planned_delivery_at, o.spec.dropoff.site_id)
        for o in orders
        if o.status in (S.ASSIGNED, S.PICKED_UP) and o.planned_delivery_at is not None
    ]
    pickups = [
        (o.planned_pickup_at, o.spec.pickup.site_id) for o in orders if o.planned_pickup_at is not None
    ]
    later = set()
    for o in orders:
        when, site = o.planned_pickup_at, o.spec.pickup.site_id
        if o.status != S.ASSIGNED or when is None:
            continue
        if any(
            drop_at < when and drop_site != site and any(t < drop_at and s == site for t, s in pickups)
            for drop_at, drop_site in pending
        ):
            later.add(o.order_id)
    return frozenset(later)


def arrive(order: Order, vehicle_id: str, site_id: str, at: datetime, cause: Cause, now: datetime) -> Outcome:
    """The order's vehicle entered the geofence of its next stop: record the arrival time."""
    kind = _stop_kind(order, site_id)
    if order.vehicle_id != vehicle_id or kind is None:
        return Refused("not this order's vehicle at its next stop")
    already = order.pickup_arrived_at if kind == StopKind.PICKUP else order.dropoff_arrived_at
    if already is not None:
        return Refused("arrival already recorded")
    field_name = "pickup_arrived_at" if kind == StopKind.PICKUP else "dropoff_arrived_at"
    done = advanced(order, now, **{field_name: at})
    event = event_of(
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
        done = advanced(
            order, now, status=S.PICKED_UP, pickup_arrived_at=arrived, picked_up_at=at, pickup_on_time=on_time
        )
        return Applied(
            done,
            (
                event_of(
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
    done = advanced(
        order, now, status=S.DELIVERED, dropoff_arrived_at=arrived, delivered_at=at, delivery_on_time=on_time
    )
    event = event_of(
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
