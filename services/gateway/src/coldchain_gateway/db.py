"""Tables of the `gateway` schema: users, their refresh tokens, and API credentials."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID

SCHEMA = "gateway"
metadata = MetaData(schema=SCHEMA)

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# Case-insensitive names (`Admin` is `admin`); the column keeps the case it was created with.
Index("users_username_lower", func.lower(users.c.username), unique=True)

# One row per issued refresh token; rotation marks the old row used and adds one to the
# same family. A used token presented again means it was stolen: the family is revoked.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("family_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("refresh_tokens_family", "family_id"),
    Index("refresh_tokens_user", "user_id"),
)

# Device tokens (kind 'device': telemetry for `device_ids` only) and integration API keys
# (kind 'integration': named permissions; `device_ids` empty means telemetry for any device).
credentials = Table(
    "credentials",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("token_hint", Text, nullable=False),
    Column("permissions", ARRAY(Text), nullable=False),
    Column("device_ids", ARRAY(Text), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)
