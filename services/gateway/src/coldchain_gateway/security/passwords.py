"""Argon2id password hashes and the minimum a configured password must meet."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
COMMON = frozenset(
    {"password1234", "123456789012", "qwertyuiop12", "administrator", "changeme1234", "letmein12345"}
)
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults
# Verified when the user does not exist, so a wrong username costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def weakness(password: str, username: str = "") -> str | None:
    """Why `password` is refused, or None when acceptable."""
    if len(password) < MIN_LENGTH:
        return f"shorter than {MIN_LENGTH} characters"
    if password.lower() in COMMON or len(set(password)) < 4:
        return "too easy to guess"
    if username and username.lower() in password.lower():
        return "contains the username"
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)
