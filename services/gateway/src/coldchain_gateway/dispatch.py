"""Dispatch through the gateway: plan requests and breakdown reports become commands on
`dispatch.commands.v1`; plan records are read from the dispatch service.

A command answers 202 once Kafka acknowledged it, with the id of the plan it will make
and its status URL; the plan record appears there when dispatch has made it (a 404
until then).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from aiokafka.errors import KafkaError
from fastapi import APIRouter, Body, Header, HTTPException, Path, Query, Request, Response, status
from faststream.kafka import KafkaBroker
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from coldchain_contracts.dispatch import (
    PlanEngine,
    ReportBreakdown,
    RequestPlan,
    derived_plan_id,
)
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_contracts.topics import DISPATCH_COMMANDS
from coldchain_gateway.idempotency import principal_of
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.upstream import forward
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.tracecontext import child_of

router = APIRouter(
    prefix="/v1/dispatch", tags=["dispatch"], responses=problem_responses(*PROTECTED, 404, 502, 503)
)
log = get_logger(__name__)
VehicleId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
TraceParent = Annotated[str | None, Header(description="W3C trace context to continue")]


class PlanRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    horizon_start: AwareDatetime = Field(description="ISO-8601 with offset")
    horizon_end: AwareDatetime = Field(description="ISO-8601 with offset; after horizon_start")
    engine: PlanEngine = PlanEngine.OPTIMISER
    time_limit_s: float = Field(default=10.0, gt=0, le=600, description="Capped by the dispatch service")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    vehicle_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=1000, description="Default: every active vehicle"
    )


class BreakdownIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    detail: str = Field(default="", max_length=500)


class PlanAccepted(BaseModel):
    plan_id: uuid.UUID
    command_id: uuid.UUID = Field(description="event_id of the command on dispatch.commands.v1")
    status_url: str


async def _publish(request: Request, command: RequestPlan | ReportBreakdown, traceparent: str | None) -> None:
    broker: KafkaBroker = request.app.state.broker
    settings: GatewaySettings = request.app.state.settings
    outgoing = Outgoing.event(DISPATCH_COMMANDS.name, str(command.event_id), command, child_of(traceparent))
    try:
        await asyncio.wait_for(publish_all(broker, [outgoing]), settings.publish_timeout_s)
    except (KafkaError, TimeoutError, OSError) as exc:
        log.error("dispatch command publish failed", error=repr(exc)[:300])
        raise HTTPException(
            503, "The command could not be submitted; retry", headers={"Retry-After": "5"}
        ) from exc


def _accepted(response: Response, plan_id: uuid.UUID, command_id: uuid.UUID) -> PlanAccepted:
    url = f"/v1/dispatch/plans/{plan_id}"
    response.headers["Location"] = url
    return PlanAccepted(plan_id=plan_id, command_id=command_id, status_url=url)


@router.post(
    "/plans",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Plan every open order over a horizon (optimiser or greedy baseline)",
    responses={202: {"headers": {"Location": {"schema": {"type": "string"}}}}},
    dependencies=[require(Permission.PLANS_WRITE, RateClass.WRITE)],
)
async def request_plan(
    body: PlanRequestIn, request: Request, response: Response, traceparent: TraceParent = None
) -> PlanAccepted:
    if body.horizon_end <= body.horizon_start:
        raise HTTPException(422, "horizon_end must be after horizon_start")
    command = RequestPlan(
        plan_id=uuid.uuid4(),
        horizon_start=body.horizon_start,
        horizon_end=body.horizon_end,
        engine=body.engine,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
        vehicle_ids=tuple(body.vehicle_ids) if body.vehicle_ids is not None else None,
        requested_by=principal_of(request),
        producer="gateway",
    )
    await _publish(request, command, traceparent)
    return _accepted(response, command.plan_id, command.event_id)


@router.post(
    "/vehicles/{vehicle_id}/breakdown",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Report a breakdown: the vehicle's remaining work is re-planned onto the others",
    responses={202: {"headers": {"Location": {"schema": {"type": "string"}}}}},
    dependencies=[require(Permission.PLANS_WRITE, RateClass.WRITE)],
)
async def report_breakdown(
    vehicle_id: VehicleId,
    request: Request,
    response: Response,
    body: Annotated[BreakdownIn | None, Body()] = None,
    traceparent: TraceParent = None,
) -> PlanAccepted:
    command = ReportBreakdown(
        vehicle_id=vehicle_id,
        detail=body.detail if body else "",
        requested_by=principal_of(request),
        producer="gateway",
    )
    await _publish(request, command, traceparent)
    return _accepted(response, derived_plan_id("breakdown", command.event_id), command.event_id)


def _dispatch(request: Request) -> Any:
    return request.app.state.dispatch


@router.get(
    "/plans",
    summary="Plan records, newest first (summaries with KPIs)",
    dependencies=[require(Permission.PLANS_READ, RateClass.READ)],
)
async def list_plans(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Response:
    return await forward(_dispatch(request), "dispatch", "GET", "/v1/plans", params={"limit": limit})


@router.get(
    "/plans/{plan_id}",
    summary="One plan: status, KPIs, dropped orders with reasons, routes, duration",
    dependencies=[require(Permission.PLANS_READ, RateClass.READ)],
)
async def get_plan(plan_id: uuid.UUID, request: Request) -> Response:
    return await forward(_dispatch(request), "dispatch", "GET", f"/v1/plans/{plan_id}")
