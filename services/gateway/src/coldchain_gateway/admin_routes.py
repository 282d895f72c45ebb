"""`/v1/admin`: users, device tokens and integration API keys.

A created secret is returned once and stored only as a hash. Disabling a user revokes
their sessions at once; revoking a key or token takes effect on its next request.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.exceptions import RequestValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.auth_schemas import (
    ApiKeyIn,
    CredentialCreated,
    CredentialOut,
    DeviceTokenIn,
    UserIn,
    UserOut,
)
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security import store
from coldchain_gateway.security.guard import RateClass, require, store_unavailable
from coldchain_gateway.security.passwords import hash_password, weakness
from coldchain_gateway.security.permissions import DEVICE_PERMISSIONS, Permission
from coldchain_gateway.security.principal import Principal, Sessions
from coldchain_gateway.security.tokens import DEVICE_PREFIX, INTEGRATION_PREFIX, new_secret
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import ProblemError

router = APIRouter(prefix="/v1/admin", tags=["admin"])
log = get_logger(__name__)
Id = Annotated[uuid.UUID, Path(description="Id as returned on creation")]
MANAGE_USERS_WRITE = require(Permission.USERS_MANAGE, RateClass.WRITE)
MANAGE_USERS_READ = require(Permission.USERS_MANAGE, RateClass.READ)
MANAGE_CREDENTIALS_WRITE = require(Permission.CREDENTIALS_MANAGE, RateClass.WRITE)
MANAGE_CREDENTIALS_READ = require(Permission.CREDENTIALS_MANAGE, RateClass.READ)


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def _user_out(user: store.User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


def _credential_out(credential: store.Credential) -> CredentialOut:
    return CredentialOut.model_validate(credential, from_attributes=True)


def _not_found(what: str) -> ProblemError:
    return ProblemError(404, f"No such {what}")


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Create a user with a role",
    responses=problem_responses(*PROTECTED, 409),
)
async def create_user(
    body: UserIn, request: Request, principal: Annotated[Principal, MANAGE_USERS_WRITE]
) -> UserOut:
    reason = weakness(body.password, body.username)
    if reason:
        raise RequestValidationError(
            [{"loc": ("body", "password"), "msg": f"Password {reason}", "type": "value_error"}]
        )
    user = await store.create_user(
        _engine(request), body.username, await hash_password(body.password), body.role
    )
    if user is None:
        raise ProblemError(409, "Username taken", f"A user named {body.username!r} exists")
    log.info("user created", user=user.username, role=user.role, by=principal.name)
    return _user_out(user)


@router.get("/users", summary="List users", responses=problem_responses(*PROTECTED))
async def list_users(request: Request, _: Annotated[Principal, MANAGE_USERS_READ]) -> list[UserOut]:
    return [_user_out(u) for u in await store.list_users(_engine(request))]


@router.post(
    "/users/{user_id}/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Disable a user and end their sessions",
    responses=problem_responses(*PROTECTED, 404),
)
async def disable_user(
    user_id: Id, request: Request, principal: Annotated[Principal, MANAGE_USERS_WRITE]
) -> None:
    families = await store.disable_user(_engine(request), user_id)
    if families is None:
        raise _not_found("user")
    request.app.state.authenticator.forget_credentials()  # the cached "enabled" answer
    sessions: Sessions = request.app.state.sessions
    try:
        await sessions.revoke(*families)
    except RedisError as exc:
        raise store_unavailable(exc) from exc
    log.info("user disabled", user_id=str(user_id), sessions=len(families), by=principal.name)


async def _create_credential(
    request: Request, *, kind: str, name: str, permissions: list[str], device_ids: list[str], by: str
) -> CredentialCreated:
    token = new_secret(DEVICE_PREFIX if kind == "device" else INTEGRATION_PREFIX)
    created = await store.create_credential(
        _engine(request), kind=kind, name=name, token=token, permissions=permissions, device_ids=device_ids
    )
    assert created is not None, "a fresh 256-bit secret cannot collide"
    log.info("credential created", kind=kind, id=str(created.id), name=name, by=by)
    return CredentialCreated(**_credential_out(created).model_dump(), token=token)


@router.post(
    "/device-tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Create a device token: telemetry for the listed devices only",
    responses=problem_responses(*PROTECTED),
)
async def create_device_token(
    body: DeviceTokenIn, request: Request, principal: Annotated[Principal, MANAGE_CREDENTIALS_WRITE]
) -> CredentialCreated:
    return await _create_credential(
        request,
        kind="device",
        name=body.name,
        permissions=sorted(DEVICE_PERMISSIONS),
        device_ids=sorted(set(body.device_ids)),
        by=principal.name,
    )


@router.get("/device-tokens", summary="List device tokens", responses=problem_responses(*PROTECTED))
async def list_device_tokens(
    request: Request, _: Annotated[Principal, MANAGE_CREDENTIALS_READ]
) -> list[CredentialOut]:
    return [_credential_out(c) for c in await store.list_credentials(_engine(request), "device")]


@router.delete(
    "/device-tokens/{credential_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a device token",
    responses=problem_responses(*PROTECTED, 404),
)
async def revoke_device_token(
    credential_id: Id, request: Request, principal: Annotated[Principal, MANAGE_CREDENTIALS_WRITE]
) -> None:
    request.app.state.authenticator.forget_credentials()
    if not await store.revoke_credential(_engine(request), "device", credential_id):
        raise _not_found("device token")
    log.info("credential revoked", kind="device", id=str(credential_id), by=principal.name)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    summary="Create an integration API key with named permissions",
    responses=problem_responses(*PROTECTED),
)
async def create_api_key(
    body: ApiKeyIn, request: Request, principal: Annotated[Principal, MANAGE_CREDENTIALS_WRITE]
) -> CredentialCreated:
    return await _create_credential(
        request,
        kind="integration",
        name=body.name,
        permissions=sorted({p.value for p in body.permissions}),
        device_ids=sorted(set(body.device_ids)),
        by=principal.name,
    )


@router.get("/api-keys", summary="List integration API keys", responses=problem_responses(*PROTECTED))
async def list_api_keys(
    request: Request, _: Annotated[Principal, MANAGE_CREDENTIALS_READ]
) -> list[CredentialOut]:
    return [_credential_out(c) for c in await store.list_credentials(_engine(request), "integration")]


@router.delete(
    "/api-keys/{credential_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an integration API key",
    responses=problem_responses(*PROTECTED, 404),
)
async def revoke_api_key(
    credential_id: Id, request: Request, principal: Annotated[Principal, MANAGE_CREDENTIALS_WRITE]
) -> None:
    request.app.state.authenticator.forget_credentials()
    if not await store.revoke_credential(_engine(request), "integration", credential_id):
        raise _not_found("API key")
    log.info("credential revoked", kind="integration", id=str(credential_id), by=principal.name)
