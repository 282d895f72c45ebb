"""Opaque keyset cursors for the query API's pages.

A cursor is the sort key of the last item a page returned (an instant, and for rows
that can share it, their id), so the next page starts strictly after it whatever was
inserted meanwhile. Clients pass it back unchanged; its encoding is not an API.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Cursor:
    at: datetime
    id: str = ""

    def encode(self) -> str:
        raw = json.dumps({"at": self.at.isoformat(), "id": self.id}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Raises ValueError on anything that is not a cursor this API issued."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            at = datetime.fromisoformat(raw["at"])
            ident = raw["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("not a cursor issued by this API") from exc
        if at.tzinfo is None or not isinstance(ident, str) or "\x00" in ident:
            raise ValueError("not a cursor issued by this API")
        try:  # year 1 at +14:00 or 9999 at -14:00 is no instant PostgreSQL (or Python) can hold
            at.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("not a cursor issued by this API") from exc
        return cls(at, ident)
