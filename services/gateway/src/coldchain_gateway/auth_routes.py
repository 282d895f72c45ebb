"""`/v1/auth`: the OAuth2 token endpoint (RFC 6749 password and refresh_token grants),
logout, and who-am-I.

Refresh tokens rotate: each refresh returns a new one and retires the old. A retired
token presented again means two parties hold it, so its whole family (session) is
revoked, in the database and, for the access tokens still in flight, in Redis.
Token errors are problem details that also carry OAuth2's `error` member.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.auth_schemas import MeOut, TokenOut
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security import store
from coldchain_gateway.security.guard import RateClass, client_ip, limit, require, store_unavailable
from coldchain_gateway.security.passwords import verify_password
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal, Sessions
from coldchain_gateway.security.tokens import issue_access
from coldchain_gateway.settings import GatewaySettings
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import ProblemError

router = APIRouter(prefix="/v1/auth", tags=["auth"])
log = get_logger(__name__)


def oauth_error(error: str, detail: str) -> ProblemError:
    """RFC 6749 §5.2 error as a problem (status 400, `error` member)."""
    return ProblemError(400, "Token request refused", detail, error=error)


def _token_response(settings: GatewaySettings, user: store.User, family: str, refresh: str) -> TokenOut:
    access, _ = issue_access(
        settings.jwt_key(),
        user_id=str(user.id),
        username=user.username,
        role=user.role,
        family=family,
        ttl_s=settings.access_token_ttl_s,
    )
    return TokenOut(access_token=access, expires_in=settings.access_token_ttl_s, refresh_token=refresh)


async def _password_grant(request: Request, username: str | None, password: str | None) -> TokenOut:
    if not username or not password:
        raise oauth_error("invalid_request", "username and password are required for grant_type=password")
    settings: GatewaySettings = request.app.state.settings
    engine: AsyncEngine = request.app.state.engine
    await limit(request, f"login:account:{username.lower()}", "login_account", exact=True)
    user = await store.user_by_name(engine, username)
    valid = await verify_password(user.password_hash if user else None, password)
    if user is None or not valid or user.disabled:
        log.info("login refused", username=username[:64], ip=client_ip(request))
        raise oauth_error("invalid_grant", "Unknown user, wrong password, or disabled account")
    family, refresh = await store.start_family(engine, user.id, settings.refresh_token_ttl_s)
    log.info("login", user=user.username, family=family)
    return _token_response(settings, user, family, refresh)


async def _refresh_grant(request: Request, refresh_token: str | None) -> TokenOut:
    if not refresh_token:
        raise oauth_error("invalid_request", "refresh_token is required for grant_type=refresh_token")
    settings: GatewaySettings = request.app.state.settings
    sessions: Sessions = request.app.state.sessions
    rotation = await store.rotate(request.app.state.engine, refresh_token, settings.refresh_token_ttl_s)
    if rotation.outcome is store.RefreshOutcome.REUSED:
        log.warning("refresh token reused; session revoked", family=rotation.family, ip=client_ip(request))
        try:
            await sessions.revoke(rotation.family)
        except RedisError as exc:
            raise store_unavailable(exc) from exc
        raise oauth_error("invalid_grant", "Refresh token already used; the session is revoked")
    if rotation.outcome is store.RefreshOutcome.UNKNOWN or rotation.user is None:
        raise oauth_error("invalid_grant", "Unknown, expired or revoked refresh token")
    return _token_response(settings, rotation.user, rotation.family, rotation.token)


@router.post(
    "/token",
    summary="Log in (password grant) or refresh a session (refresh_token grant)",
    description="OAuth2 token endpoint, `application/x-www-form-urlencoded`. Example: "
    "`grant_type=password&username=admin&password=…`, then "
    "`grant_type=refresh_token&refresh_token=ccr_…` before the access token expires.",
    responses=problem_responses(400, 413, 422, 429, 503),
)
async def token(
    request: Request,
    response: Response,
    grant_type: Annotated[str | None, Form(max_length=32, examples=["password"])] = None,
    username: Annotated[str | None, Form(max_length=64, examples=["admin"])] = None,
    password: Annotated[str | None, Form(max_length=256, examples=["coldchain-dev-admin"])] = None,
    refresh_token: Annotated[str | None, Form(max_length=256)] = None,
    scope: Annotated[
        str, Form(max_length=256, description="Ignored: a user has their role's permissions")
    ] = "",
) -> TokenOut:
    await limit(request, f"login:ip:{client_ip(request)}", "login_ip", exact=True)
    response.headers["Pragma"] = "no-cache"  # RFC 6749 §5.1, with the Cache-Control: no-store on every answer
    if grant_type == "password":
        return await _password_grant(request, username, password)
    if grant_type == "refresh_token":
        return await _refresh_grant(request, refresh_token)
    if grant_type is None:
        raise oauth_error("invalid_request", "grant_type is required")
    raise oauth_error("unsupported_grant_type", "grant_type must be password or refresh_token")


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session: its refresh tokens and access tokens stop working",
    responses=problem_responses(*PROTECTED),
)
async def logout(
    request: Request, principal: Annotated[Principal, require(Permission.SESSION, RateClass.WRITE)]
) -> None:
    if principal.family is not None:
        await store.revoke_family(request.app.state.engine, principal.family)
        sessions: Sessions = request.app.state.sessions
        try:
            await sessions.revoke(principal.family)
        except RedisError as exc:
            raise store_unavailable(exc) from exc
        log.info("logout", user=principal.name, family=principal.family)


@router.get(
    "/me",
    summary="Who the credentials belong to and what they may do",
    responses=problem_responses(*PROTECTED),
)
async def me(principal: Annotated[Principal, require(Permission.SESSION, RateClass.READ)]) -> MeOut:
    return MeOut(
        id=principal.id,
        kind=principal.kind,
        name=principal.name,
        role=principal.role,
        permissions=sorted(principal.permissions),
    )
