"""`/v1/notification-channels`: webhooks and e-mail recipients, their secrets and delivery log.

A webhook's signing secret is generated here and shown only twice: in the answer that
creates the channel and in the answer of a rotation. After a rotation the old secret
still signs (a second signature) for `NOTIFY_WEBHOOK_OLD_SECRET_S`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping

from coldchain_contracts import utcnow
from coldchain_notify import delivery_log, repository
from coldchain_notify.api_common import Engine, EntityId, Operator, not_found
from coldchain_notify.db import channels
from coldchain_notify.rules import ChannelSpec
from coldchain_notify.settings import NotifySettings
from coldchain_servicekit.problems import ProblemError

router = APIRouter(prefix="/v1/notification-channels", tags=["notifications"])


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def view(row: RowMapping, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel_id": row["channel_id"],
        **row["spec"],
        "enabled": row["enabled"],
        "consecutive_failures": row["consecutive_failures"],
        "disabled_reason": row["disabled_reason"],
        "updated_at": row["updated_at"].isoformat(),
    }
    if secret is not None:
        body["secret"] = secret
    return body


async def _row(engine: Engine, operator: str, channel_id: str) -> RowMapping:
    async with engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(channels).where(
                        channels.c.operator_id == operator, channels.c.channel_id == channel_id
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("Channel", channel_id)
    return row


@router.get("")
async def list_channels(engine: Engine, operator: Operator = "default") -> dict[str, Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(channels).where(channels.c.operator_id == operator).order_by(channels.c.channel_id)
        )
        return {"channels": [view(r) for r in rows.mappings()]}


@router.get("/{channel_id}")
async def get_channel(channel_id: EntityId, engine: Engine, operator: Operator = "default") -> dict[str, Any]:
    return view(await _row(engine, operator, channel_id))


@router.put("/{channel_id}")
async def put_channel(
    channel_id: EntityId,
    spec: Annotated[ChannelSpec, Body()],
    engine: Engine,
    operator: Operator = "default",
) -> Response:
    """Create (201, with the webhook secret) or replace (200; the secret stays). Enabling a
    disabled channel resets its failure count."""
    now = utcnow()
    body = spec.model_dump(mode="json", exclude={"enabled"})
    async with engine.begin() as conn:
        existing = (
            (
                await conn.execute(
                    select(channels).where(channels.c.channel_id == channel_id).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if existing is not None and existing["operator_id"] != operator:
            raise ProblemError(409, "Channel id taken", f"channel {channel_id!r} belongs to another operator")
        if existing is not None and existing["kind"] != spec.kind:
            raise ProblemError(409, "Channel kind cannot change", "delete the channel and create a new one")
        secret = new_secret() if existing is None and spec.kind == "webhook" else None
        values: dict[str, Any] = {
            "operator_id": operator,
            "kind": spec.kind,
            "spec": body,
            "enabled": spec.enabled,
            "updated_at": now,
        }
        if spec.enabled:
            values.update(consecutive_failures=0, disabled_reason=None)
        if existing is None:
            await conn.execute(insert(channels).values(channel_id=channel_id, secret=secret, **values))
        else:
            await conn.execute(update(channels).where(channels.c.channel_id == channel_id).values(**values))
            if not spec.enabled:
                await delivery_log.cancel_pending(conn, channel_id, "channel disabled by an operator")
        row = (
            (await conn.execute(select(channels).where(channels.c.channel_id == channel_id))).mappings().one()
        )
    return JSONResponse(view(row, secret), status_code=201 if existing is None else 200)


@router.post("/{channel_id}/rotate-secret")
async def rotate_secret(
    channel_id: EntityId, request: Request, engine: Engine, operator: Operator = "default"
) -> dict[str, Any]:
    settings: NotifySettings = request.app.state.settings
    row = await _row(engine, operator, channel_id)
    if row["kind"] != "webhook":
        raise ProblemError(409, "Only webhooks have a secret")
    now, secret = utcnow(), new_secret()
    async with engine.begin() as conn:
        await conn.execute(
            update(channels)
            .where(channels.c.channel_id == channel_id)
            .values(
                secret=secret,
                old_secret=row["secret"],
                old_secret_until=now + timedelta(seconds=settings.webhook_old_secret_s),
                updated_at=now,
            )
        )
    rotated = await _row(engine, operator, channel_id)
    return {**view(rotated, secret), "old_secret_valid_until": rotated["old_secret_until"].isoformat()}


@router.delete("/{channel_id}", status_code=204)
async def delete_channel(channel_id: EntityId, engine: Engine, operator: Operator = "default") -> Response:
    await _row(engine, operator, channel_id)
    async with engine.begin() as conn:
        using = await repository.rules_using(conn, operator, channel_id)
        if using:
            raise ProblemError(
                409, "Channel in use", f"rules {', '.join(using)} name this channel; change them first"
            )
        await conn.execute(delete(channels).where(channels.c.channel_id == channel_id))
    return Response(status_code=204)


@router.get("/{channel_id}/deliveries")
async def channel_deliveries(
    channel_id: EntityId,
    engine: Engine,
    operator: Operator = "default",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The delivery log: newest first, each with its attempts and their status codes."""
    await _row(engine, operator, channel_id)
    async with engine.connect() as conn:
        return {"deliveries": await delivery_log.deliveries_of_channel(conn, channel_id, limit)}
