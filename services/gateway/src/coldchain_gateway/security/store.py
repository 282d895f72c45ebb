"""Database side of authentication: users, refresh-token families, API credentials.

Every function takes the engine and does one thing in one transaction; the HTTP
layer decides what each outcome means for the caller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.db import credentials, refresh_tokens, users
from coldchain_gateway.security.tokens import REFRESH_PREFIX, digest, new_secret


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    username: str
    role: str
    disabled: bool
    created_at: datetime
    password_hash: str


@dataclass(frozen=True)
class Credential:
    id: uuid.UUID
    kind: str
    name: str
    token_hint: str
    permissions: tuple[str, ...]
    device_ids: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def _user(row: Any) -> User:
    return User(row.id, row.username, row.role, row.disabled, row.created_at, row.password_hash)


def _credential(row: Any) -> Credential:
    return Credential(
        row.id,
        row.kind,
        row.name,
        row.token_hint,
        tuple(row.permissions),
        tuple(row.device_ids),
        row.created_at,
        row.revoked_at,
    )


# --- users ---


async def user_by_name(engine: AsyncEngine, username: str) -> User | None:
    """Case-insensitive: `Admin` finds `admin` (the unique index is on lower(username))."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(users).where(func.lower(users.c.username) == func.lower(username)))
        ).first()
    return _user(row) if row else None


async def user_by_id(engine: AsyncEngine, user_id: str) -> User | None:
    try:
        parsed = uuid.UUID(user_id)
    except ValueError:
        return None
    async with engine.connect() as conn:
        row = (await conn.execute(select(users).where(users.c.id == parsed))).first()
    return _user(row) if row else None


async def create_user(engine: AsyncEngine, username: str, password_hash: str, role: str) -> User | None:
    """None when the username is taken, in any case."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                insert(users)
                .values(id=uuid.uuid4(), username=username, password_hash=password_hash, role=role)
                .on_conflict_do_nothing()  # either unique index: the name, or its lower case
                .returning(*users.c)
            )
        ).first()
    return _user(row) if row else None


async def any_admin(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        found = await conn.scalar(select(func.count()).select_from(users).where(users.c.role == "admin"))
    return bool(found)


async def list_users(engine: AsyncEngine) -> list[User]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(users).order_by(users.c.created_at, users.c.username))).all()
    return [_user(r) for r in rows]


async def disable_user(engine: AsyncEngine, user_id: uuid.UUID) -> list[str] | None:
    """Disables the user and revokes their refresh families; the families (for the access
    token deny list), or None when there is no such user."""
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        found = await conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
        if found.rowcount == 0:
            return None
        rows = await conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(refresh_tokens.c.family_id)
        )
        return sorted({str(r.family_id) for r in rows})


# --- refresh tokens ---


async def start_family(engine: AsyncEngine, user_id: uuid.UUID, ttl_s: int) -> tuple[str, str]:
    """A new session: (family id, refresh token)."""
    family = uuid.uuid4()
    token = await _add_refresh(engine, family, user_id, ttl_s)
    return str(family), token


async def _add_refresh(engine: AsyncEngine, family: uuid.UUID, user_id: uuid.UUID, ttl_s: int) -> str:
    token = new_secret(REFRESH_PREFIX)
    async with engine.begin() as conn:
        await conn.execute(
            refresh_tokens.insert().values(
                id=uuid.uuid4(),
                family_id=family,
                user_id=user_id,
                token_hash=digest(token),
                expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
            )
        )
    return token


class RefreshOutcome(Enum):
    ROTATED = "rotated"
    UNKNOWN = "unknown"  # never issued, expired, revoked, or the user is disabled
    REUSED = "reused"  # already rotated: the family is now revoked


@dataclass(frozen=True)
class Rotation:
    outcome: RefreshOutcome
    family: str = ""
    user: User | None = None
    token: str = ""


async def rotate(engine: AsyncEngine, presented: str, ttl_s: int) -> Rotation:
    """Trades a refresh token for a new one of the same family, exactly once."""
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                select(refresh_tokens, users.c.username, users.c.role, users.c.disabled)
                .join(users, users.c.id == refresh_tokens.c.user_id)
                .where(refresh_tokens.c.token_hash == digest(presented))
                .with_for_update(of=refresh_tokens)
            )
        ).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now or row.disabled:
            return Rotation(RefreshOutcome.UNKNOWN)
        if row.used_at is not None:
            await conn.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.family_id == row.family_id, refresh_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return Rotation(RefreshOutcome.REUSED, family=str(row.family_id))
        await conn.execute(update(refresh_tokens).where(refresh_tokens.c.id == row.id).values(used_at=now))
        token = new_secret(REFRESH_PREFIX)
        await conn.execute(
            refresh_tokens.insert().values(
                id=uuid.uuid4(),
                family_id=row.family_id,
                user_id=row.user_id,
                token_hash=digest(token),
                expires_at=now + timedelta(seconds=ttl_s),
            )
        )
        user = (await conn.execute(select(users).where(users.c.id == row.user_id))).one()
    return Rotation(RefreshOutcome.ROTATED, family=str(row.family_id), user=_user(user), token=token)


async def revoke_family(engine: AsyncEngine, family: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == uuid.UUID(family), refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )


# --- credentials (device tokens, API keys) ---


async def create_credential(
    engine: AsyncEngine,
    *,
    kind: str,
    name: str,
    token: str,
    permissions: list[str],
    device_ids: list[str],
) -> Credential | None:
    """None when the token is already registered (the dev key on a restart)."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                insert(credentials)
                .values(
                    id=uuid.uuid4(),
                    kind=kind,
                    name=name,
                    token_hash=digest(token),
                    token_hint=token[:8] + "…",
                    permissions=permissions,
                    device_ids=device_ids,
                )
                .on_conflict_do_nothing(index_elements=["token_hash"])
                .returning(*credentials.c)
            )
        ).first()
    return _credential(row) if row else None


async def credential_by_token(engine: AsyncEngine, token: str) -> Credential | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(credentials).where(
                    credentials.c.token_hash == digest(token), credentials.c.revoked_at.is_(None)
                )
            )
        ).first()
    return _credential(row) if row else None


async def list_credentials(engine: AsyncEngine, kind: str) -> list[Credential]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(credentials).where(credentials.c.kind == kind).order_by(credentials.c.created_at)
            )
        ).all()
    return [_credential(r) for r in rows]


async def revoke_credential(engine: AsyncEngine, kind: str, credential_id: uuid.UUID) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(
            update(credentials)
            .where(credentials.c.id == credential_id, credentials.c.kind == kind)
            .values(revoked_at=func.coalesce(credentials.c.revoked_at, func.now()))
        )
    return bool(result.rowcount)
