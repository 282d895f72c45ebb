"""Dispatch's query API, called by the gateway: plan records, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from coldchain_dispatch.plan_store import PlanStore

router = APIRouter(prefix="/v1", tags=["plans"])

_SUMMARY = (
    "plan_id",
    "kind",
    "parent_plan_id",
    "status",
    "engine",
    "requested_at",
    "completed_at",
    "duration_s",
    "kpis",
    "error",
)


def _store(request: Request) -> PlanStore:
    store: PlanStore = request.app.state.plan_store
    return store


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in _SUMMARY}


@router.get("/plans", summary="Plan records, newest first (summaries)")
async def list_plans(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    rows = await _store(request).recent(limit)
    return {"plans": [_summary(r) for r in rows]}


@router.get("/plans/{plan_id}", summary="One plan: status, KPIs, dropped orders with reasons, routes")
async def get_plan(plan_id: uuid.UUID, request: Request) -> dict[str, Any]:
    row = await _store(request).get(plan_id)
    if row is None:
        raise HTTPException(404, f"No plan {plan_id} (yet: a requested plan appears once it is made)")
    inputs = row["inputs"] or {}
    return {
        **_summary(row),
        "settings": row["settings"],
        "dropped": row["dropped"] or [],
        "excluded_vehicles": inputs.get("excluded_vehicles", {}),
        "excluded_orders": inputs.get("excluded_orders", {}),
        "routes": row["routes"] or [],
        "revisions": {a["vehicle_id"]: a["revision"] for a in row["assignments"] or []},
    }
