"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body bytes.

Scheme (docs/notifications.md "Verifying a webhook"):

    Coldchain-Timestamp: <unix seconds>
    Coldchain-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>[,v1=<...>]

The signed string binds the body to its timestamp, so a receiver that rejects timestamps
older than its tolerance (5 minutes) rejects a replayed call. Right after a secret
rotation the header carries one signature per valid secret (new first), so receivers can
switch secrets without losing calls.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

TIMESTAMP_HEADER = "Coldchain-Timestamp"
SIGNATURE_HEADER = "Coldchain-Signature"
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join(signature(s, timestamp, body) for s in secrets)


def verify(
    header: str,
    timestamp_header: str,
    body: bytes,
    secret: str,
    now: float,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> bool:
    """What a receiver does: a fresh timestamp and one matching signature."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
