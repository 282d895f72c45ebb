"""The live feed's credentials check: the gateway's own authenticator, plus token expiry,
and the per-IP rate limit on connection attempts (each one a credential check, so guessing
keys over WebSockets costs what it costs over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import WebSocket
from redis.exceptions import RedisError

from coldchain_gateway.live.endpoint import (
    CLOSE_TOO_MANY,
    CLOSE_TRY_LATER,
    AdmitAuth,
    Authenticator,
    Close,
    LivePrincipal,
)
from coldchain_gateway.security.guard import client_ip
from coldchain_gateway.security.principal import TokenAuthenticator, Unauthenticated
from coldchain_gateway.security.ratelimit import Limiter
from coldchain_gateway.security.tokens import InvalidToken, decode_access, looks_like_jwt
from coldchain_gateway.settings import GatewaySettings


@dataclass(frozen=True, slots=True)
class LiveSession:
    subject: str
    permissions: frozenset[str]
    expires_at: datetime | None


def live_authenticator(authenticator: TokenAuthenticator, jwt_key: str) -> Authenticator:
    """Users (JWT access tokens) are cut off when the token expires; every connection is
    re-checked with this same function while open, so revoked keys and sessions end too."""

    async def authenticate(token: str) -> LivePrincipal | None:
        try:
            principal = await authenticator.authenticate(token)
            expires = decode_access(jwt_key, token).expires_at if looks_like_jwt(token) else None
        except (Unauthenticated, InvalidToken):
            return None
        return LiveSession(principal.id, frozenset(p.value for p in principal.permissions), expires)

    return authenticate


def live_admission(limiter: Limiter, settings: GatewaySettings) -> AdmitAuth:
    rate = settings.rate("live_auth_ip")

    async def admit(ws: WebSocket) -> Close | None:
        try:
            wait_s = await limiter.wait_s(f"live:ip:{client_ip(ws)}", rate)
        except RedisError:
            return CLOSE_TRY_LATER, "rate limiter unavailable"
        return (CLOSE_TOO_MANY, "too many connection attempts") if wait_s > 0 else None

    return admit
