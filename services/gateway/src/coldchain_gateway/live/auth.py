"""The live feed's credentials check: the gateway's own authenticator, plus token expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coldchain_gateway.live.endpoint import Authenticator, LivePrincipal
from coldchain_gateway.security.principal import TokenAuthenticator, Unauthenticated
from coldchain_gateway.security.tokens import InvalidToken, decode_access, looks_like_jwt


@dataclass(frozen=True, slots=True)
class LiveSession:
    subject: str
    permissions: frozenset[str]
    expires_at: datetime | None


def live_authenticator(authenticator: TokenAuthenticator, jwt_key: str) -> Authenticator:
    """Users (JWT access tokens) are cut off when the token expires; API keys and device
    tokens hold until the connection ends (revocation applies to new connections)."""

    async def authenticate(token: str) -> LivePrincipal | None:
        try:
            principal = await authenticator.authenticate(token)
            expires = decode_access(jwt_key, token).expires_at if looks_like_jwt(token) else None
        except (Unauthenticated, InvalidToken):
            return None
        return LiveSession(principal.id, frozenset(p.value for p in principal.permissions), expires)

    return authenticate
