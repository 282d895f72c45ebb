"""Orders: commands on `orders.commands.v1` and lifecycle events on `orders.events.v1`.

Both topics are keyed by `order_id`, so everything about one order stays ordered on
one partition. Both carry several types, told apart by `event_type` (a discriminated
union). Events carry the order's `status` after the event and its `version` (1, 2, …
per order; a refused command changes nothing and repeats the current version).

Lifecycle: received → accepted | rejected → planned → assigned → picked_up →
delivered; cancelled and failed from the states where that makes sense (see the
orders service's `domain.TRANSITIONS`).
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coldchain_contracts.dispatch import StopKind
from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.fleet import TemperatureZone


class OrderStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PLANNED = "planned"
    ASSIGNED = "assigned"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"


class RejectionReason(StrEnum):
    UNKNOWN_SITE = "unknown_site"
    ZONE_SITE_MISMATCH = "zone_site_mismatch"
    SITE_ROLE_MISMATCH = "site_role_mismatch"
    WINDOW_IMPOSSIBLE = "window_impossible"
    DUPLICATE_NUMBER = "duplicate_number"


class TimeWindow(BaseModel):
    """An interval of instants; a window across midnight is simply one that ends the next day."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    start: UtcDatetime
    end: UtcDatetime


class OrderStop(BaseModel):
    """One end of an order: a known site, or an ad-hoc address with coordinates."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    site_id: str | None = Field(default=None, min_length=1, max_length=64)
    address: str = Field(default="", max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    window: TimeWindow
    service_minutes: int | None = Field(
        default=None, ge=0, le=24 * 60, description="None: the site's loading/unloading minutes"
    )

    @model_validator(mode="after")
    def _site_or_coordinates(self) -> OrderStop:
        if self.site_id is None and (self.latitude is None or self.longitude is None):
            raise ValueError("a stop needs a site_id, or an address with latitude and longitude")
        return self


class OrderSpec(BaseModel):
    """What the customer asked for: the order's content, as placed or last amended."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_number: str = Field(min_length=1, max_length=64, description="Unique per operator")
    zone: TemperatureZone
    setpoint_celsius: float | None = Field(default=None, ge=-40, le=30)
    pallets: int = Field(ge=1, le=60)
    weight_kg: float = Field(ge=0, le=60_000)
    volume_m3: float | None = Field(default=None, ge=0, le=200)
    goods: str = Field(default="", max_length=500)
    pickup: OrderStop
    dropoff: OrderStop
    priority: int = Field(default=5, ge=1, le=10, description="1 highest, 10 lowest")
    forklift_required: bool = False
    requested_date: date
    notes: str = Field(default="", max_length=2000)


class OrderChanges(BaseModel):
    """A partial amendment: the fields given replace the order's; None leaves them as they are."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_number: str | None = Field(default=None, min_length=1, max_length=64)
    zone: TemperatureZone | None = None
    setpoint_celsius: float | None = Field(default=None, ge=-40, le=30)
    pallets: int | None = Field(default=None, ge=1, le=60)
    weight_kg: float | None = Field(default=None, ge=0, le=60_000)
    volume_m3: float | None = Field(default=None, ge=0, le=200)
    goods: str | None = Field(default=None, max_length=500)
    pickup: OrderStop | None = None
    dropoff: OrderStop | None = None
    priority: int | None = Field(default=None, ge=1, le=10)
    forklift_required: bool | None = None
    requested_date: date | None = None
    notes: str | None = Field(default=None, max_length=2000)


# Commands (orders.commands.v1) ---------------------------------------------------------


class OrderCommand(Envelope):
    event_type: str
    order_id: uuid.UUID
    requested_by: str = Field(default="", max_length=200, description="Principal that sent it")


class PlaceOrder(OrderCommand):
    event_type: Literal["PlaceOrder"] = "PlaceOrder"
    operator_id: str = Field(default="default", min_length=1, max_length=64)
    order: OrderSpec
    idempotency_key: str | None = Field(default=None, max_length=200)


class AmendOrder(OrderCommand):
    event_type: Literal["AmendOrder"] = "AmendOrder"
    changes: OrderChanges


class CancelOrder(OrderCommand):
    event_type: Literal["CancelOrder"] = "CancelOrder"
    reason: str = Field(default="", max_length=500)


class FailOrder(OrderCommand):
    """The order cannot be completed (delivery refused, breakdown with goods on board)."""

    event_type: Literal["FailOrder"] = "FailOrder"
    reason: str = Field(default="", max_length=500)


class MarkOrderPlanned(OrderCommand):
    """Dispatch included the order in a plan that is not yet committed to a vehicle."""

    event_type: Literal["MarkOrderPlanned"] = "MarkOrderPlanned"
    plan_id: uuid.UUID


AnyOrderCommand = Annotated[
    PlaceOrder | AmendOrder | CancelOrder | FailOrder | MarkOrderPlanned,
    Field(discriminator="event_type"),
]
ORDER_COMMAND_TYPES: tuple[type[OrderCommand], ...] = (
    PlaceOrder,
    AmendOrder,
    CancelOrder,
    FailOrder,
    MarkOrderPlanned,
)


# Events (orders.events.v1) -------------------------------------------------------------


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
