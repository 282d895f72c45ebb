"""Tables of the `ingest` schema."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "ingest"
metadata = MetaData(schema=SCHEMA)

device_bindings = Table(
    "device_bindings",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("vehicle_id", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

uvis_cursors = Table(
    "uvis_cursors",
    metadata,
    Column("terminal_id", Text, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("last_device_time", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("vehicle_id", Text, nullable=True),
    Column("protocol", Text, nullable=False),
    Column("options", JSONB, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
