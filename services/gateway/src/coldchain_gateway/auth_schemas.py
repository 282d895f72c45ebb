"""Request and response bodies of the authentication and administration routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_gateway.security.permissions import Permission, Role

USERNAME = r"^[A-Za-z0-9._@-]+$"
DeviceId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class TokenOut(BaseModel):
    """RFC 6749 §5.1 access token response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "ccr_Qm9vdHN0cmFwIHJlZnJlc2ggdG9rZW4…",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the RFC 6749 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str | None = Field(
        default=None,
        description="Single use: each refresh returns a new one. Absent when it was set as the "
        "console's HttpOnly cookie instead (`refresh_cookie=true`)",
    )


class MeOut(BaseModel):
    id: str
    kind: str = Field(examples=["user"])
    name: str = Field(examples=["admin"])
    role: Role | None = Field(default=None, examples=["admin"])
    permissions: list[Permission]


class UserIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"username": "dispatch.kim", "password": "a long passphrase 42", "role": "dispatcher"}
            ]
        },
    )

    username: str = Field(min_length=1, max_length=64, pattern=USERNAME)
    password: str = Field(min_length=12, max_length=256, description="At least 12 characters, not guessable")
    role: Role


class UserOut(BaseModel):
    id: uuid.UUID
    username: str = Field(examples=["dispatch.kim"])
    role: Role
    disabled: bool
    created_at: datetime


class DeviceTokenIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "truck 12 terminal", "device_ids": ["truck-0012"]}]},
    )

    name: str = Field(min_length=1, max_length=100)
    device_ids: list[DeviceId] = Field(
        min_length=1, max_length=1000, description="Devices this token may post telemetry for"
    )


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "ERP assignments reader", "permissions": ["assignments:read"], "device_ids": []}
            ]
        },
    )

    name: str = Field(min_length=1, max_length=100)
    permissions: list[Permission] = Field(min_length=1, max_length=len(Permission))
    device_ids: list[DeviceId] = Field(
        default_factory=list,
        max_length=1000,
        description="With telemetry:ingest: the devices it may post for; empty means any device",
    )


class CredentialOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(examples=["device"])
    name: str
    token_hint: str = Field(
        description="First characters of the secret, to recognise it", examples=["ccd_x9Fq…"]
    )
    permissions: list[str]
    device_ids: list[str]
    created_at: datetime
    revoked_at: datetime | None


class CredentialCreated(CredentialOut):
    token: str = Field(description="The secret; shown once, store it now", examples=["ccd_3q2…"])
