"""Access tokens (signed JWT, RFC 7519) and opaque secrets (refresh tokens, API keys,
device tokens).

Access tokens are short-lived and checked without the database: signature, issuer,
audience and expiry here, family revocation in Redis. Opaque secrets are 256 random
bits; only their SHA-256 is stored (they are not guessable, so a slow hash would add
nothing but latency to every telemetry post).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ISSUER = "coldchain-gateway"
AUDIENCE = "coldchain-api"
ALGORITHM = "HS256"
DEVICE_PREFIX = "ccd_"
INTEGRATION_PREFIX = "cci_"
REFRESH_PREFIX = "ccr_"


class InvalidToken(Exception):
    """Signature, claims or expiry wrong; the message says which, for the logs only."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    username: str
    role: str
    family: str
    token_id: str
    expires_at: datetime


def issue_access(
    key: str, *, user_id: str, username: str, role: str, family: str, ttl_s: int, now: datetime | None = None
) -> tuple[str, AccessClaims]:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)  # JWT times are whole seconds
    claims = AccessClaims(
        user_id, username, role, family, uuid.uuid4().hex, issued + timedelta(seconds=ttl_s)
    )
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "name": username,
        "role": role,
        "fam": family,
        "jti": claims.token_id,
        "iat": int(issued.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "typ": "access",
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM), claims


def decode_access(key: str, token: str, *, max_ttl_s: int | None = None) -> AccessClaims:
    """`max_ttl_s`: refuse tokens made to live longer (`exp - iat`), which this gateway never
    issues (PyJWT already refuses an `iat` in the future)."""
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.get("typ") != "access" or not all(
        isinstance(payload.get(k), str) for k in ("name", "role", "fam")
    ):
        raise InvalidToken("not an access token")
    if max_ttl_s is not None:
        issued, expires = payload["iat"], payload["exp"]
        if not isinstance(issued, int | float) or expires - issued > max_ttl_s:
            raise InvalidToken("lifetime over the maximum")
    return AccessClaims(
        user_id=payload["sub"],
        username=payload["name"],
        role=payload["role"],
        family=payload["fam"],
        token_id=payload["jti"],
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
