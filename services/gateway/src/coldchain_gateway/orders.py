"""Orders through the gateway: writes become commands on `orders.commands.v1`, reads and
imports go to the orders service.

A write answers 202 with the order id and its status URL once Kafka acknowledged the
command (`acks=all`); the orders service then decides (accepted or rejected, or a
refused change with its reason), visible at `GET /v1/orders/{id}`. With an
`Idempotency-Key` header a retried request yields the same order (see `idempotency`).

Each route names the permission it will require once authentication is integrated.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from aiokafka.errors import KafkaError
from fastapi import APIRouter, Body, File, Header, HTTPException, Query, Request, Response, UploadFile, status
from faststream.kafka import KafkaBroker

from coldchain_contracts import (
    AmendOrder,
    CancelOrder,
    FailOrder,
    OrderChanges,
    OrderSpec,
    OrderStatus,
    PlaceOrder,
    TemperatureZone,
)
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN, TEXT_PATTERN
from coldchain_contracts.orders import OrderCommand
from coldchain_contracts.topics import ORDERS_COMMANDS
from coldchain_gateway.idempotency import ids_for, operator_of, principal_of
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.order_schemas import (
    ORDER_EXAMPLE,
    BatchAccepted,
    CommandAccepted,
    OrderChangesIn,
    ReasonIn,
    parse_orders,
)
from coldchain_gateway.schemas import MAX_OFFSET
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.uploads import forward_import
from coldchain_gateway.upstream import forward
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.tracecontext import child_of

router = APIRouter(
    prefix="/v1/orders", tags=["orders"], responses=problem_responses(*PROTECTED, 404, 409, 415, 502, 503)
)
log = get_logger(__name__)


def _accepted(order_id: uuid.UUID, command_id: uuid.UUID) -> CommandAccepted:
    return CommandAccepted(order_id=order_id, command_id=command_id, status_url=f"/v1/orders/{order_id}")


async def _publish(request: Request, commands: list[OrderCommand], traceparent: str | None) -> None:
    broker: KafkaBroker = request.app.state.broker
    settings: GatewaySettings = request.app.state.settings
    trace = child_of(traceparent)
    outgoing = [Outgoing.event(ORDERS_COMMANDS.name, str(c.order_id), c, trace) for c in commands]
    try:
        await asyncio.wait_for(publish_all(broker, outgoing), settings.publish_timeout_s)
    except (KafkaError, TimeoutError, OSError) as exc:
        log.error("order command publish failed", error=repr(exc)[:300])
        raise HTTPException(
            503, "The order could not be submitted; retry", headers={"Retry-After": "5"}
        ) from exc


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Same key, same order: a retry never creates a second one",
    ),
]
TraceParent = Annotated[str | None, Header(description="W3C trace context to continue")]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary='Place one order, or a batch of up to 500 as {"orders": [...]}',
    response_model=CommandAccepted | BatchAccepted,
    responses={
        422: {"description": "Invalid; nothing was submitted"},
        503: {"description": "Kafka unavailable"},
    },
    dependencies=[require(Permission.ORDERS_WRITE, RateClass.WRITE)],
)
async def place_orders(
    request: Request,
    response: Response,
    body: Annotated[Any, Body(examples=[ORDER_EXAMPLE, {"orders": [ORDER_EXAMPLE]}])],
    idempotency_key: IdempotencyKey = None,
    traceparent: TraceParent = None,
) -> CommandAccepted | BatchAccepted:
    orders = parse_orders(body)
    batch = isinstance(body, dict) and "orders" in body
    principal, operator = principal_of(request), operator_of(request)
    correlation = uuid.uuid4()
    commands: list[OrderCommand] = []
    for index, order in enumerate(orders):
        order_id, command_id = ids_for(principal, idempotency_key, "place", index if batch else "")
        commands.append(
            PlaceOrder(
                event_id=command_id,
                order_id=order_id,
                operator_id=operator,
                order=OrderSpec.model_validate(order.model_dump()),
                idempotency_key=idempotency_key,
                requested_by=principal,
                producer="gateway",
                correlation_id=correlation,
            )
        )
    await _publish(request, commands, traceparent)
    accepted = [_accepted(c.order_id, c.event_id) for c in commands]
    if batch:
        return BatchAccepted(orders=accepted)
    response.headers["Location"] = accepted[0].status_url
    return accepted[0]


async def _change(
    request: Request, order_id: uuid.UUID, command: OrderCommand, traceparent: str | None
) -> CommandAccepted:
    await _publish(request, [command], traceparent)
    return _accepted(order_id, command.event_id)


@router.patch(
    "/{order_id}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Amend an accepted or planned order",
    dependencies=[require(Permission.ORDERS_WRITE, RateClass.WRITE)],
)
async def amend_order(
    order_id: uuid.UUID,
    changes: OrderChangesIn,
    request: Request,
    idempotency_key: IdempotencyKey = None,
    traceparent: TraceParent = None,
) -> CommandAccepted:
    principal = principal_of(request)
    _, command_id = ids_for(principal, idempotency_key, "amend", order_id)
    if not changes.model_dump(exclude_none=True):
        raise HTTPException(422, "Nothing to change")
    command = AmendOrder(
        event_id=command_id,
        order_id=order_id,
        changes=OrderChanges.model_validate(changes.model_dump()),
        requested_by=principal,
        producer="gateway",
    )
    return await _change(request, order_id, command, traceparent)


@router.post(
    "/{order_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Cancel an order",
    dependencies=[require(Permission.ORDERS_WRITE, RateClass.WRITE)],
)
async def cancel_order(
    order_id: uuid.UUID,
    request: Request,
    body: Annotated[ReasonIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
    traceparent: TraceParent = None,
) -> CommandAccepted:
    return await _reasoned(request, order_id, CancelOrder, "cancel", body, idempotency_key, traceparent)


@router.post(
    "/{order_id}/fail",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mark an order failed",
    dependencies=[require(Permission.ORDERS_WRITE, RateClass.WRITE)],
)
async def fail_order(
    order_id: uuid.UUID,
    request: Request,
    body: Annotated[ReasonIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
    traceparent: TraceParent = None,
) -> CommandAccepted:
    return await _reasoned(request, order_id, FailOrder, "fail", body, idempotency_key, traceparent)


async def _reasoned(
    request: Request,
    order_id: uuid.UUID,
    command_type: type[CancelOrder] | type[FailOrder],
    action: str,
    body: ReasonIn | None,
    idempotency_key: str | None,
    traceparent: str | None,
) -> CommandAccepted:
    """A command that carries only a reason (cancel, fail)."""
    principal = principal_of(request)
    _, command_id = ids_for(principal, idempotency_key, action, order_id)
    command = command_type(
        event_id=command_id,
        order_id=order_id,
        reason=body.reason if body else "",
        requested_by=principal,
        producer="gateway",
    )
    return await _change(request, order_id, command, traceparent)


def _orders_client(request: Request) -> Any:
    return request.app.state.orders


@router.get(
    "",
    summary="Orders, filtered and paginated",
    dependencies=[require(Permission.ORDERS_READ, RateClass.READ)],
)
async def list_orders(
    request: Request,
    date_: Annotated[
        date | None, Query(alias="date", description="Requested date (first day with date_to)")
    ] = None,
    date_to: date | None = None,
    status_: Annotated[list[OrderStatus] | None, Query(alias="status")] = None,
    zone: TemperatureZone | None = None,
    site: Annotated[str | None, Query(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)] = None,
    vehicle: Annotated[str | None, Query(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)] = None,
    q: Annotated[
        str | None, Query(max_length=100, pattern=TEXT_PATTERN, description="Text in number, goods or notes")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    params: dict[str, Any] = {
        "date": date_.isoformat() if date_ else None,
        "date_to": date_to.isoformat() if date_to else None,
        "status": [s.value for s in status_] if status_ else None,
        "zone": zone.value if zone else None,
        "site": site,
        "vehicle": vehicle,
        "q": q,
        "limit": limit,
        "offset": offset,
    }
    return await forward(_orders_client(request), "orders", "GET", "/v1/orders", params=params)


@router.post(
    "/import",
    summary="Import orders from a CSV or XLSX file; the answer reports every row",
    dependencies=[require(Permission.ORDERS_WRITE, RateClass.WRITE)],
    responses=problem_responses(415),
)
async def import_orders(
    request: Request, file: Annotated[UploadFile, File(description="orders.csv or orders.xlsx")]
) -> Response:
    settings: GatewaySettings = request.app.state.settings
    return await forward_import(request, "orders", file, settings)


@router.get(
    "/import/template.{fmt}",
    summary="Template for the orders import",
    dependencies=[require(Permission.ORDERS_READ, RateClass.READ)],
)
async def orders_template(request: Request, fmt: Literal["csv", "xlsx"]) -> Response:
    return await forward(_orders_client(request), "orders", "GET", f"/v1/imports/orders/template.{fmt}")


@router.get(
    "/{order_id}",
    summary="One order with its full event history",
    dependencies=[require(Permission.ORDERS_READ, RateClass.READ)],
)
async def get_order(order_id: uuid.UUID, request: Request) -> Response:
    return await forward(_orders_client(request), "orders", "GET", f"/v1/orders/{order_id}")
