"""Idempotency of write requests without shared state between gateway replicas.

The ids of what a request creates are derived from the caller and its
`Idempotency-Key` (UUIDv5), so every replica computes the same ids for a retried
request: the retry publishes a command with the same order id and the same command
`event_id`, the orders service's inbox drops the duplicate command, and an order id
that exists already is never placed a second time. The caller is the authenticated
principal that the route's guard puts in `request.state.principal`.
"""

from __future__ import annotations

import uuid

from fastapi import Request

NAMESPACE = uuid.UUID("0f5d8a52-7a4c-4c55-8f0e-8f1c2b9d6e31")


def principal_of(request: Request) -> str:
    """The authenticated caller's stable id (`<kind>:<id>`), set by the route's guard."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return "anonymous"
    return f"{principal.kind}:{principal.id}"


def operator_of(request: Request) -> str:
    return str(getattr(request.state, "operator_id", None) or "default")


def derived_id(principal: str, key: str, *parts: object) -> uuid.UUID:
    """The same principal, key and parts give the same id on every replica, forever."""
    return uuid.uuid5(NAMESPACE, "\x1f".join([principal, key, *map(str, parts)]))


def ids_for(principal: str, key: str | None, what: str, *parts: object) -> tuple[uuid.UUID, uuid.UUID]:
    """(entity id, command event id): derived from the key when there is one, random otherwise."""
    if key is None:
        return uuid.uuid4(), uuid.uuid4()
    entity = derived_id(principal, key, what, *parts)
    return entity, uuid.uuid5(entity, f"command:{what}")
