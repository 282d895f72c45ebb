"""`/v1/alerts/{alert_id}`: acknowledge an alert (stops its escalation) and see who was told.

The alert id is an excursion's `excursion_id` or an alert's `alert_id` from
`tracking.events.v1` (as listed by tracking's excursions and alerts APIs). The first
acknowledgement is kept with who and when; repeating it answers the same record.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import utcnow
from coldchain_notify import repository
from coldchain_notify.api_common import Engine, Operator, RequestedBy

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


class Acknowledge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=1000)


@router.post("/{alert_id}/acknowledge")
async def acknowledge(
    alert_id: uuid.UUID,
    engine: Engine,
    body: Annotated[Acknowledge | None, Body()] = None,
    operator: Operator = "default",
    requested_by: RequestedBy = "",
) -> dict[str, Any]:
    async with engine.begin() as conn:
        await repository.acknowledge(
            conn, alert_id, operator, requested_by or "unknown", (body or Acknowledge()).note, utcnow()
        )
        return await repository.alert_notifications(conn, operator, alert_id)


@router.get("/{alert_id}/notifications")
async def notifications(
    alert_id: uuid.UUID, engine: Engine, operator: Operator = "default"
) -> dict[str, Any]:
    async with engine.connect() as conn:
        return await repository.alert_notifications(conn, operator, alert_id)
