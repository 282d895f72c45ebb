"""Commands on `orders.commands.v1`, keyed by `order_id`, told apart by `event_type`."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from coldchain_contracts.envelope import Envelope
from coldchain_contracts.orders.spec import OrderChanges, OrderSpec


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
