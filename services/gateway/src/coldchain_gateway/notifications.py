"""Notification rules, channels and alert acknowledgement through the gateway; the notify
service owns them (docs/notifications.md), writes are forwarded to it synchronously.

The caller's operator and principal travel as `operator_id` and `requested_by`, so the
notify service scopes every row to the operator and audits who acknowledged an alert.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import AfterValidator

from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_gateway.idempotency import operator_of, principal_of
from coldchain_gateway.json_bounds import checked_json
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.upstream import forward

router = APIRouter(tags=["notifications"], responses=problem_responses(*PROTECTED, 404, 409, 502, 503))
EntityId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
RULE_EXAMPLE: dict[str, Any] = {
    "name": "Reefer excursions, night shift",
    "event_types": ["excursion_opened", "probe_disconnected"],
    "zones": ["frozen", "chilled"],
    "min_severity": "warning",
    "quiet_hours": {"start": "22:00", "end": "06:00", "timezone": "Asia/Seoul"},
    "recipients": ["ops-webhook", "duty-manager-mail"],
    "escalate_after_minutes": 10,
}
CHANNEL_EXAMPLE: dict[str, Any] = {
    "kind": "webhook",
    "name": "Ops integration",
    "url": "https://ops.example/hook",
}
Json = Annotated[dict[str, Any], AfterValidator(checked_json)]
READ = require(Permission.NOTIFICATIONS_READ, RateClass.READ)
WRITE = require(Permission.NOTIFICATIONS_WRITE, RateClass.WRITE)


def _scope(request: Request, **extra: Any) -> dict[str, Any]:
    return {"operator_id": operator_of(request), **extra}


async def _notify(request: Request, method: str, path: str, **kwargs: Any) -> Response:
    return await forward(request.app.state.notify, "notify", method, path, **kwargs)


@router.get("/v1/notification-rules", summary="Notification rules", dependencies=[READ])
async def list_rules(request: Request) -> Response:
    return await _notify(request, "GET", "/v1/notification-rules", params=_scope(request))


@router.get("/v1/notification-rules/{rule_id}", summary="One notification rule", dependencies=[READ])
async def get_rule(rule_id: EntityId, request: Request) -> Response:
    return await _notify(request, "GET", f"/v1/notification-rules/{rule_id}", params=_scope(request))


@router.put(
    "/v1/notification-rules/{rule_id}",
    summary="Create (201) or replace (200) a rule: event types, filters, quiet hours, escalation",
    dependencies=[WRITE],
    responses=problem_responses(422),
)
async def put_rule(
    rule_id: EntityId, request: Request, rule: Annotated[Json, Body(examples=[RULE_EXAMPLE])]
) -> Response:
    params = _scope(request, requested_by=principal_of(request))
    return await _notify(request, "PUT", f"/v1/notification-rules/{rule_id}", params=params, json=rule)


@router.delete("/v1/notification-rules/{rule_id}", summary="Delete a rule", dependencies=[WRITE])
async def delete_rule(rule_id: EntityId, request: Request) -> Response:
    return await _notify(request, "DELETE", f"/v1/notification-rules/{rule_id}", params=_scope(request))


@router.get(
    "/v1/notification-channels", summary="Notification channels (webhooks, e-mail)", dependencies=[READ]
)
async def list_channels(request: Request) -> Response:
    return await _notify(request, "GET", "/v1/notification-channels", params=_scope(request))


@router.get("/v1/notification-channels/{channel_id}", summary="One channel", dependencies=[READ])
async def get_channel(channel_id: EntityId, request: Request) -> Response:
    return await _notify(request, "GET", f"/v1/notification-channels/{channel_id}", params=_scope(request))


@router.put(
    "/v1/notification-channels/{channel_id}",
    summary="Create (201, answer carries the webhook secret once) or replace (200) a channel",
    dependencies=[WRITE],
    responses=problem_responses(422),
)
async def put_channel(
    channel_id: EntityId, request: Request, channel: Annotated[Json, Body(examples=[CHANNEL_EXAMPLE])]
) -> Response:
    path = f"/v1/notification-channels/{channel_id}"
    return await _notify(request, "PUT", path, params=_scope(request), json=channel)


@router.post(
    "/v1/notification-channels/{channel_id}/rotate-secret",
    summary="New webhook secret (shown once); the old one keeps signing for a day",
    dependencies=[WRITE],
)
async def rotate_secret(channel_id: EntityId, request: Request) -> Response:
    path = f"/v1/notification-channels/{channel_id}/rotate-secret"
    return await _notify(request, "POST", path, params=_scope(request))


@router.delete("/v1/notification-channels/{channel_id}", summary="Delete a channel", dependencies=[WRITE])
async def delete_channel(channel_id: EntityId, request: Request) -> Response:
    return await _notify(request, "DELETE", f"/v1/notification-channels/{channel_id}", params=_scope(request))


@router.get(
    "/v1/notification-channels/{channel_id}/deliveries",
    summary="Delivery log of a channel: attempts with status codes, newest first",
    dependencies=[READ],
)
async def channel_deliveries(
    channel_id: EntityId, request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> Response:
    path = f"/v1/notification-channels/{channel_id}/deliveries"
    return await _notify(request, "GET", path, params=_scope(request, limit=limit))


@router.post(
    "/v1/alerts/{alert_id}/acknowledge",
    summary="Acknowledge an alert or excursion: stops its escalation; who and when are kept",
    dependencies=[require(Permission.ALERTS_ACKNOWLEDGE, RateClass.WRITE)],
    responses=problem_responses(422),
)
async def acknowledge(alert_id: uuid.UUID, request: Request, body: Json | None = None) -> Response:
    params = _scope(request, requested_by=principal_of(request))
    return await _notify(
        request, "POST", f"/v1/alerts/{alert_id}/acknowledge", params=params, json=body or {}
    )


@router.get(
    "/v1/alerts/{alert_id}/notifications",
    summary="Who was told about an alert, its escalation and its acknowledgement",
    dependencies=[READ],
)
async def alert_notifications(alert_id: uuid.UUID, request: Request) -> Response:
    return await _notify(request, "GET", f"/v1/alerts/{alert_id}/notifications", params=_scope(request))
