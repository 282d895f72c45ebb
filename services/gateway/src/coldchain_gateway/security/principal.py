"""Who is calling: a user (JWT access token), a device, or an integration (opaque key)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal, Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.security import store
from coldchain_gateway.security.permissions import DEVICE_PERMISSIONS, ROLE_PERMISSIONS, Permission, Role
from coldchain_gateway.security.tokens import InvalidToken, decode_access, digest, looks_like_jwt

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
    """Access tokens are checked by signature plus the session's revocation flag in Redis;
    API keys and device tokens by their hash in PostgreSQL, remembered for
    `credential_cache_s` so a device posting every second costs no database round trip.
    A revocation through this replica forgets at once; other replicas within the TTL."""

    def __init__(
        self, engine: AsyncEngine, sessions: Sessions, jwt_key: str, credential_cache_s: float = 5.0
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._jwt_key = jwt_key
        self._cache_s = credential_cache_s
        self._credentials: dict[str, tuple[float, Principal | None]] = {}
        self._looking_up: dict[str, asyncio.Task[Principal | None]] = {}
        self._generation = 0  # a lookup that began before a forget must not re-cache its answer

    def forget_credentials(self) -> None:
        self._credentials.clear()
        self._looking_up.clear()
        self._generation += 1

    async def _credential(self, token: str) -> Principal | None:
        key = digest(token)
        now = time.monotonic()
        cached = self._credentials.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        # One query per key at a time: when an entry expires under load, the requests that
        # arrive before the answer wait for that query instead of each sending their own.
        lookup = self._looking_up.get(key)
        if lookup is None:
            lookup = asyncio.create_task(self._look_up(key, token, self._generation))
            self._looking_up[key] = lookup
            lookup.add_done_callback(lambda done: self._forget_lookup(key, done))
        return await asyncio.shield(lookup)

    def _forget_lookup(self, key: str, done: asyncio.Task[Principal | None]) -> None:
        if self._looking_up.get(key) is done:
            del self._looking_up[key]

    async def _look_up(self, key: str, token: str, generation: int) -> Principal | None:
        now = time.monotonic()
        credential = await store.credential_by_token(self._engine, token)
        principal = credential_principal(credential) if credential is not None else None
        if self._cache_s > 0 and generation == self._generation:
            if len(self._credentials) > 10_000:  # bounded: a flood of random keys cannot grow it
                self._credentials.clear()
            self._credentials[key] = (now + self._cache_s, principal)
        return principal

    async def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise Unauthenticated("no credentials", invalid=False)
        if looks_like_jwt(token):
            try:
                claims = decode_access(self._jwt_key, token)
            except InvalidToken as exc:
                raise Unauthenticated(f"access token: {exc}", invalid=True) from exc
            if claims.role not in Role.__members__.values():
                raise Unauthenticated("access token: unknown role", invalid=True)
            if await self._sessions.is_revoked(claims.family):
                raise Unauthenticated("access token: session revoked", invalid=True)
            return user_principal(claims.user_id, claims.username, claims.role, claims.family)
        principal = await self._credential(token)
        if principal is None:
            raise Unauthenticated("unknown or revoked key", invalid=True)
        return principal
