"""What the notify API's routes share: the engine, the caller's operator, a 422 helper."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_servicekit.problems import ProblemError


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


Engine = Annotated[AsyncEngine, Depends(_engine)]
Operator = Annotated[str, Query(alias="operator_id", min_length=1, max_length=64)]
RequestedBy = Annotated[str, Query(alias="requested_by", max_length=200)]
EntityId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def invalid(field: str, reason: str) -> ProblemError:
    """A 422 shaped like a request validation failure (servicekit problems)."""
    return ProblemError(
        422,
        "Request validation failed",
        f"{field}: {reason}",
        type_="https://coldchain.dev/problems/validation",
        errors=[{"pointer": "/body/" + field.replace(".", "/"), "field": field, "reason": reason}],
    )


def not_found(what: str, entity_id: str) -> ProblemError:
    return ProblemError(404, f"{what} not found", f"no {what.lower()} {entity_id!r}")
