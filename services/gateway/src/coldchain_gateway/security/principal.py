"""Who is calling: a user (JWT access token), a device, or an integration (opaque key)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.security import store
from coldchain_gateway.security.cached_lookup import CachedLookup
from coldchain_gateway.security.permissions import DEVICE_PERMISSIONS, ROLE_PERMISSIONS, Permission, Role
from coldchain_gateway.security.tokens import InvalidToken, decode_access, looks_like_jwt

PrincipalKind = Literal["user", "device", "integration"]


@dataclass(frozen=True)
class Principal:
    id: str
    kind: PrincipalKind
    name: str
    permissions: frozenset[Permission]
    role: Role | None = None
    devices: frozenset[str] | None = None
    """Devices this principal may post telemetry for; None means any."""
    family: str | None = None
    """Refresh-token family of a user's session (what logout revokes)."""

    def may_post_for(self, device_id: str) -> bool:
        return Permission.TELEMETRY_INGEST in self.permissions and (
            self.devices is None or device_id in self.devices
        )


class Unauthenticated(Exception):
    """No credentials, or credentials that are not (or no longer) valid."""

    def __init__(self, reason: str, *, invalid: bool) -> None:
        super().__init__(reason)
        self.invalid = invalid


def user_principal(user_id: str, username: str, role: str, family: str) -> Principal:
    parsed = Role(role)
    return Principal(user_id, "user", username, ROLE_PERMISSIONS[parsed], role=parsed, family=family)


def credential_principal(credential: store.Credential) -> Principal:
    if credential.kind == "device":
        return Principal(
            str(credential.id),
            "device",
            credential.name,
            DEVICE_PERMISSIONS,
            devices=frozenset(credential.device_ids),
        )
    permissions = frozenset(
        Permission(p) for p in credential.permissions if p in Permission.__members__.values()
    )
    return Principal(
        str(credential.id),
        "integration",
        credential.name,
        permissions,
        devices=frozenset(credential.device_ids) if credential.device_ids else None,
    )


class Authenticator(Protocol):
    async def authenticate(self, token: str | None) -> Principal: ...


class Sessions:
    """Revoked refresh families, remembered in Redis for as long as an access token of
    theirs could still be valid, so logout and reuse detection cut access at once.

    A family found not revoked is believed for `check_cache_s` per replica (a Redis round
    trip per request was a third of a cached read's cost): a revocation through this replica
    takes effect at once, through another within that time."""

    def __init__(self, redis: Redis, prefix: str, access_ttl_s: int, check_cache_s: float = 1.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_s = access_ttl_s + 60  # clock skew margin
        self._check_cache_s = check_cache_s
        self._live_until: dict[str, float] = {}
        self.on_revoke: list[Callable[[], None]] = []
        """Called after a revocation (the live feed re-checks its connections)."""

    def _key(self, family: str) -> str:
        return f"{self._prefix}revoked-family:{family}"

    async def revoke(self, *families: str) -> None:
        for family in families:
            self._live_until.pop(family, None)
        if families:
            async with self._redis.pipeline(transaction=False) as pipe:
                for family in families:
                    pipe.set(self._key(family), 1, ex=self._ttl_s)
                await pipe.execute()
            for listener in self.on_revoke:
                listener()

    async def is_revoked(self, family: str) -> bool:
        now = time.monotonic()
        if self._live_until.get(family, 0.0) > now:
            return False
        revoked = bool(await self._redis.exists(self._key(family)))
        if not revoked and self._check_cache_s > 0:
            if len(self._live_until) > 10_000:  # bounded: sessions come and go
                self._live_until.clear()
            self._live_until[family] = now + self._check_cache_s
        return revoked


class TokenAuthenticator:
    """Access tokens are checked by signature, lifetime, the session's revocation flag in
    Redis and the user they name (it must exist, be enabled and hold the token's role);
    API keys and device tokens by their hash in PostgreSQL. Users and keys are remembered
    for `credential_cache_s` (`CachedLookup`) so a device posting every second costs no
    database round trip. A revocation through this replica forgets at once; other
    replicas within the TTL."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: Sessions,
        jwt_key: str,
        credential_cache_s: float = 5.0,
        max_access_ttl_s: int | None = None,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._jwt_key = jwt_key
        self._max_ttl_s = max_access_ttl_s
        self._credentials = CachedLookup(self._credential, credential_cache_s)
        self._users = CachedLookup(self._user, credential_cache_s)
        self.on_forget: list[Callable[[], None]] = []
        """Called after a revocation (the live feed re-checks its connections)."""

    def forget_credentials(self) -> None:
        self._credentials.forget()
        self._users.forget()
        for listener in self.on_forget:
            listener()

    async def _credential(self, token: str) -> Principal | None:
        credential = await store.credential_by_token(self._engine, token)
        return credential_principal(credential) if credential is not None else None

    async def _user(self, user_id: str) -> store.User | None:
        return await store.user_by_id(self._engine, user_id)

    async def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise Unauthenticated("no credentials", invalid=False)
        if looks_like_jwt(token):
            return await self._user_principal(token)
        principal = await self._credentials.get(token)
        if principal is None:
            raise Unauthenticated("unknown or revoked key", invalid=True)
        return principal

    async def _user_principal(self, token: str) -> Principal:
        try:
            claims = decode_access(self._jwt_key, token, max_ttl_s=self._max_ttl_s)
        except InvalidToken as exc:
            raise Unauthenticated(f"access token: {exc}", invalid=True) from exc
        if claims.role not in Role.__members__.values():
            raise Unauthenticated("access token: unknown role", invalid=True)
        if await self._sessions.is_revoked(claims.family):
            raise Unauthenticated("access token: session revoked", invalid=True)
        # A token signed with a leaked or dev secret must still name a real, enabled user in
        # the role it claims: a signature alone does not make anyone an admin.
        user = await self._users.get(claims.user_id)
        if user is None or user.disabled or user.role != claims.role:
            raise Unauthenticated("access token: no such active user in that role", invalid=True)
        return user_principal(claims.user_id, claims.username, claims.role, claims.family)
