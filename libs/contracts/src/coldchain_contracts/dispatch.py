"""Dispatch output: each vehicle's planned route, on `dispatch.assignments.v1` keyed by vehicle.

Every message is the vehicle's whole current route (latest wins), so a subscriber
needs no history: an order missing from a vehicle's new route has moved elsewhere or
been dropped (the plan record says why).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope, UtcDatetime
from coldchain_contracts.fleet import TemperatureZone
from coldchain_contracts.identifiers import Identifier


class StopKind(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class CompartmentLoad(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    compartment: str = Field(description="Compartment channel, e.g. A")
    zone: TemperatureZone
    pallets: float = Field(ge=0)


class AssignedStop(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sequence: int = Field(ge=0)
    order_id: uuid.UUID
    kind: StopKind
    site_id: str | None = None
    latitude: float
    longitude: float
    planned_arrival: UtcDatetime
    planned_departure: UtcDatetime
    load_after: tuple[CompartmentLoad, ...] = Field(
        default=(), description="Load on board per compartment when leaving the stop"
    )
    locked: bool = Field(default=False, description="Started or committed; re-planning keeps it")


class RouteAssigned(Envelope):
    """Topic `dispatch.assignments.v1`, key `vehicle_id`: the vehicle's current route."""

    event_type: Literal["RouteAssigned"] = "RouteAssigned"
    vehicle_id: Identifier
    plan_id: uuid.UUID
    revision: int = Field(ge=0, description="Increases with every change to this vehicle's route")
    stops: tuple[AssignedStop, ...] = ()
    total_km: float = Field(default=0, ge=0)


class PlanEngine(StrEnum):
    OPTIMISER = "optimiser"
    GREEDY = "greedy"


class DispatchCommand(Envelope):
    """Topic `dispatch.commands.v1`, key `event_id`: commands are independent of each other."""

    requested_by: str = Field(default="", max_length=200)


class RequestPlan(DispatchCommand):
    """Plan every open order over a horizon (mode 1: a day's plan on request)."""

    event_type: Literal["RequestPlan"] = "RequestPlan"
    plan_id: uuid.UUID
    horizon_start: UtcDatetime
    horizon_end: UtcDatetime
    engine: PlanEngine = PlanEngine.OPTIMISER
    time_limit_s: float = Field(default=10.0, gt=0, le=600)
    seed: int = 0
    vehicle_ids: tuple[str, ...] | None = Field(default=None, description="Default: every active vehicle")


class ReportBreakdown(DispatchCommand):
    """A vehicle can drive no further (mode 3: its remaining stops are re-planned)."""

    event_type: Literal["ReportBreakdown"] = "ReportBreakdown"
    vehicle_id: Identifier
    detail: str = Field(default="", max_length=500)


PLAN_ID_NAMESPACE = uuid.UUID("6f1c1d38-5a2e-4f0e-9b7e-2d0c8e6a4b11")


def derived_plan_id(kind: str, event_id: uuid.UUID) -> uuid.UUID:
    """The id of the plan dispatch makes for an event that names none (`breakdown`: a
    ReportBreakdown; `insertion`: an OrderAccepted put into the current plan), so the
    sender can look it up and a redelivered event finds the plan already made."""
    return uuid.uuid5(PLAN_ID_NAMESPACE, f"{kind}:{event_id}")


AnyDispatchCommand = Annotated[RequestPlan | ReportBreakdown, Field(discriminator="event_type")]
