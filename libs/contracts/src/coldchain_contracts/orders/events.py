"""Lifecycle events on `orders.events.v1`: each carries the order's status after it and its version."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from coldchain_contracts.dispatch import StopKind
from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.orders.spec import OrderSpec, OrderStatus, RejectionReason


class OrderEvent(Envelope):
    event_type: str
    order_id: uuid.UUID
    order_number: str = ""
    status: OrderStatus = Field(description="The order's status after this event")
    version: int = Field(ge=1, description="1, 2, … per order")


class OrderReceived(OrderEvent):
    event_type: Literal["OrderReceived"] = "OrderReceived"
    operator_id: str = "default"
    order: OrderSpec


class OrderAccepted(OrderEvent):
    """Carries the whole order, so a projection (dispatch) needs nothing else."""

    event_type: Literal["OrderAccepted"] = "OrderAccepted"
    operator_id: str = "default"
    order: OrderSpec


class OrderRejected(OrderEvent):
    event_type: Literal["OrderRejected"] = "OrderRejected"
    reasons: tuple[RejectionReason, ...]
    detail: str = ""


class OrderAmended(OrderEvent):
    event_type: Literal["OrderAmended"] = "OrderAmended"
    order: OrderSpec


class OrderPlanned(OrderEvent):
    event_type: Literal["OrderPlanned"] = "OrderPlanned"
    plan_id: uuid.UUID


class OrderAssigned(OrderEvent):
    event_type: Literal["OrderAssigned"] = "OrderAssigned"
    vehicle_id: str
    plan_id: uuid.UUID
    route_revision: int = Field(ge=0)
    planned_pickup_at: UtcDatetime | None = None
    planned_delivery_at: UtcDatetime | None = None


class OrderUnassigned(OrderEvent):
    """The vehicle's new route no longer contains the order; it is open again."""

    event_type: Literal["OrderUnassigned"] = "OrderUnassigned"
    vehicle_id: str
    route_revision: int = Field(ge=0)


class OrderStopArrived(OrderEvent):
    """The vehicle entered the geofence of the order's pick-up or drop-off site."""

    event_type: Literal["OrderStopArrived"] = "OrderStopArrived"
    stop: StopKind
    vehicle_id: str
    site_id: str
    at: UtcDatetime


class OrderPickedUp(OrderEvent):
    event_type: Literal["OrderPickedUp"] = "OrderPickedUp"
    vehicle_id: str
    arrived_at: UtcDatetime | None = None
    departed_at: UtcDatetime
    on_time: bool | None = Field(default=None, description="Arrival within the pick-up window")


class OrderDelivered(OrderEvent):
    event_type: Literal["OrderDelivered"] = "OrderDelivered"
    vehicle_id: str
    arrived_at: UtcDatetime | None = None
    departed_at: UtcDatetime
    on_time: bool | None = Field(default=None, description="Arrival within the delivery window")


class OrderCancelled(OrderEvent):
    event_type: Literal["OrderCancelled"] = "OrderCancelled"
    reason: str = ""


class OrderFailed(OrderEvent):
    event_type: Literal["OrderFailed"] = "OrderFailed"
    reason: str = ""


class OrderCommandRefused(OrderEvent):
    """A command that would be an illegal transition; the order is unchanged."""

    event_type: Literal["OrderCommandRefused"] = "OrderCommandRefused"
    command_type: str
    command_id: uuid.UUID
    reason: str


AnyOrderEvent = Annotated[
    OrderReceived
    | OrderAccepted
    | OrderRejected
    | OrderAmended
    | OrderPlanned
    | OrderAssigned
    | OrderUnassigned
    | OrderStopArrived
    | OrderPickedUp
    | OrderDelivered
    | OrderCancelled
    | OrderFailed
    | OrderCommandRefused,
    Field(discriminator="event_type"),
]
ORDER_EVENT_TYPES: tuple[type[OrderEvent], ...] = (
    OrderReceived,
    OrderAccepted,
    OrderRejected,
    OrderAmended,
    OrderPlanned,
    OrderAssigned,
    OrderUnassigned,
    OrderStopArrived,
    OrderPickedUp,
    OrderDelivered,
    OrderCancelled,
    OrderFailed,
    OrderCommandRefused,
)
