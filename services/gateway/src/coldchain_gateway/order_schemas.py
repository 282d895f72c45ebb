"""Request and response bodies of the order routes (the contract's models, stricter)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coldchain_contracts import OrderChanges, OrderSpec, OrderStop, TimeWindow

MAX_ORDERS = 500

ORDER_EXAMPLE: dict[str, Any] = {
    "order_number": "PO-2026-0001",
    "zone": "frozen",
    "setpoint_celsius": -20,
    "pallets": 6,
    "weight_kg": 540,
    "goods": "ice cream",
    "pickup": {
        "site_id": "ICN-HUB",
        "window": {"start": "2026-12-01T06:00:00+09:00", "end": "2026-12-01T08:00:00+09:00"},
    },
    "dropoff": {
        "site_id": "SEL-GANGNAM-01",
        "window": {"start": "2026-12-01T09:00:00+09:00", "end": "2026-12-01T11:00:00+09:00"},
        "service_minutes": 20,
    },
    "priority": 3,
    "requested_date": "2026-12-01",
}


class WindowIn(TimeWindow):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StopIn(OrderStop):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: WindowIn


class OrderIn(OrderSpec):
    """An order as clients send it: the contract's `OrderSpec`, refusing unknown fields at any depth."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [ORDER_EXAMPLE]})

    pickup: StopIn
    dropoff: StopIn


class OrderBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_ORDERS)


class OrderChangesIn(OrderChanges):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pickup: StopIn | None = None
    dropoff: StopIn | None = None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class CommandAccepted(BaseModel):
    order_id: uuid.UUID
    command_id: uuid.UUID = Field(
        description="event_id of the command; the order's events name it as causation_id"
    )
    status_url: str


class BatchAccepted(BaseModel):
    orders: list[CommandAccepted]


def parse_orders(body: Any) -> list[OrderIn]:
    """One order, or `{"orders": [...]}`; errors point into the body like any validation error."""
    model: type[BaseModel] = OrderBatchIn if isinstance(body, dict) and "orders" in body else OrderIn
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)]
        ) from exc
    return parsed.orders if isinstance(parsed, OrderBatchIn) else [parsed]  # type: ignore[list-item]
