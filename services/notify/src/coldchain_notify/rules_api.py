"""`/v1/notification-rules`: which events reach which channels, with escalation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from coldchain_contracts import utcnow
from coldchain_notify import repository
from coldchain_notify.api_common import Engine, EntityId, Operator, RequestedBy, invalid, not_found
from coldchain_notify.db import rules
from coldchain_notify.rules import RuleSpec
from coldchain_servicekit.problems import ProblemError

router = APIRouter(prefix="/v1/notification-rules", tags=["notifications"])


def view(rule_id: str, spec: RuleSpec) -> dict[str, Any]:
    return {"rule_id": rule_id, **spec.model_dump(mode="json")}


@router.get("")
async def list_rules(engine: Engine, operator: Operator = "default") -> dict[str, Any]:
    async with engine.connect() as conn:
        return {"rules": [view(i, s) for i, s in await repository.rules_of(conn, operator)]}


@router.get("/{rule_id}")
async def get_rule(rule_id: EntityId, engine: Engine, operator: Operator = "default") -> dict[str, Any]:
    async with engine.connect() as conn:
        spec = await repository.rule(conn, operator, rule_id)
    if spec is None:
        raise not_found("Rule", rule_id)
    return view(rule_id, spec)


@router.put("/{rule_id}")
async def put_rule(
    rule_id: EntityId,
    spec: Annotated[RuleSpec, Body()],
    engine: Engine,
    operator: Operator = "default",
    requested_by: RequestedBy = "",
) -> Response:
    """Create (201) or replace (200). Every recipient must be one of the operator's channels."""
    if spec.escalate_after_minutes is not None and len(spec.recipients) < 2:
        raise invalid("escalate_after_minutes", "escalation needs a second recipient")
    async with engine.begin() as conn:
        known = await repository.channel_exists(conn, operator, spec.recipients)
        missing = [c for c in spec.recipients if c not in known]
        if missing:
            raise invalid("recipients", f"no channel {', '.join(map(repr, missing))}")
        owner = await conn.scalar(select(rules.c.operator_id).where(rules.c.rule_id == rule_id))
        if owner is not None and owner != operator:
            raise ProblemError(409, "Rule id taken", f"rule {rule_id!r} belongs to another operator")
        values = {
            "operator_id": operator,
            "spec": spec.model_dump(mode="json"),
            "updated_by": requested_by,
            "updated_at": utcnow(),
        }
        await conn.execute(
            insert(rules)
            .values(rule_id=rule_id, **values)
            .on_conflict_do_update(index_elements=["rule_id"], set_=values)
        )
    return JSONResponse(view(rule_id, spec), status_code=201 if owner is None else 200)


@router.delete("/{rule_id}", status_code=204)
async def delete_rule(rule_id: EntityId, engine: Engine, operator: Operator = "default") -> Response:
    async with engine.begin() as conn:
        if not await repository.delete_rule(conn, operator, rule_id):
            raise not_found("Rule", rule_id)
    return Response(status_code=204)
