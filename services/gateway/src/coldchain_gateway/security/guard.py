"""The dependency every protected route declares: `require(permission, rate_class)`.

In order: a per-IP token bucket (before any credential is looked at, so guessing keys
costs rate), authentication (401 with `WWW-Authenticate`), the permission (403), then
a per-principal bucket (429 with `Retry-After`). The declared permission is kept on the
dependency so the route table test can find every route's requirement.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection

from coldchain_gateway.security.client_address import forwarded_client
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Authenticator, Principal, Unauthenticated
from coldchain_gateway.security.ratelimit import Limiter, retry_after
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import ProblemError

log = get_logger(__name__)
REALM = 'Bearer realm="coldchain"'
TOKEN_URL = "/v1/auth/token"  # noqa: S105 - a path, not a secret

bearer_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    auto_error=False,
    description="User access token from `POST /v1/auth/token`, or a device/integration key",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Device token (`ccd_…`) or integration key (`cci_…`)"
)


class RateClass(StrEnum):
    LOGIN = "login"
    INGEST = "ingest"
    READ = "read"
    WRITE = "write"


def client_ip(request: HTTPConnection) -> str:
    """The client's address, for a request or a WebSocket."""
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(
        peer, request.headers.get("x-forwarded-for", ""), request.app.state.settings.trusted_proxies
    )


def unauthenticated(reason: Unauthenticated) -> ProblemError:
    challenge = REALM + (', error="invalid_token"' if reason.invalid else "")
    return ProblemError(
        401,
        "Authentication required",
        "The credentials are invalid, expired or revoked" if reason.invalid else "No credentials were sent",
        headers={"WWW-Authenticate": challenge},
    )


def too_many(wait_s: float) -> ProblemError:
    return ProblemError(
        429,
        "Too many requests",
        "Rate limit exceeded; retry after the time in Retry-After",
        headers={"Retry-After": retry_after(wait_s)},
    )


def store_unavailable(exc: Exception) -> ProblemError:
    log.error("credential or session store unavailable", error=repr(exc)[:300])
    return ProblemError(503, "Credential store unavailable; retry", headers={"Retry-After": "5"})


async def limit(request: Request, bucket: str, rate_name: str, *, exact: bool = False) -> None:
    """`exact`: a Redis round trip for this very hit (login); otherwise the replica's synced
    view of the bucket (`SyncedLimiter`)."""
    state = request.app.state
    limiter: Limiter = state.limiter if exact else state.route_limiter
    try:
        wait_s = await limiter.wait_s(bucket, request.app.state.settings.rate(rate_name))
    except RedisError as exc:
        raise store_unavailable(exc) from exc
    if wait_s > 0:
        log.info("rate limited", bucket=bucket)
        raise too_many(wait_s)


def presented_token(authorization: str | None, api_key: str | None) -> str | None:
    if authorization and api_key:
        raise ProblemError(
            401,
            "Authentication required",
            "Send one credential: Authorization or X-API-Key, not both",
            headers={"WWW-Authenticate": REALM + ', error="invalid_request"'},
        )
    return authorization or api_key


def require(permission: Permission | None, rate_class: RateClass) -> Any:
    """`dependencies=[require(...)]` or `principal: Annotated[Principal, require(...)]`.
    `None` means any authenticated principal."""

    async def guard(
        request: Request,
        authorization: Annotated[str | None, Security(bearer_scheme)],
        api_key: Annotated[str | None, Security(api_key_scheme)],
    ) -> Principal:
        await limit(request, f"{rate_class}:ip:{client_ip(request)}", f"{rate_class}_ip")
        authenticator: Authenticator = request.app.state.authenticator
        try:
            principal = await authenticator.authenticate(presented_token(authorization, api_key))
        except Unauthenticated as reason:
            log.info("unauthenticated", reason=str(reason), path=request.url.path)
            raise unauthenticated(reason) from None
        except (RedisError, SQLAlchemyError, OSError) as exc:  # session or credential store down
            raise store_unavailable(exc) from exc
        if permission is not None and permission not in principal.permissions:
            raise ProblemError(
                403,
                "Forbidden",
                f"This requires the permission {permission.value!r}",
                required=permission.value,
            )
        await limit(request, f"{rate_class}:principal:{principal.id}", f"{rate_class}_principal")
        request.state.principal = principal
        return principal

    guard.permission = permission  # type: ignore[attr-defined]
    guard.rate_class = rate_class  # type: ignore[attr-defined]
    return Depends(guard)
