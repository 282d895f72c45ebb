"""Tables of the `gateway` schema (users, roles and credentials arrive with the auth work)."""

from __future__ import annotations

from sqlalchemy import MetaData

SCHEMA = "gateway"
metadata = MetaData(schema=SCHEMA)
