"""Tables of the `tracking` schema."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "tracking"
metadata = MetaData(schema=SCHEMA)

positions = Table(
    "positions",
    metadata,
    Column("vehicle_id", Text, nullable=False),
    Column("device_time", DateTime(timezone=True), nullable=False),
    Column("device_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("speed_kmh", Float),
    Column("heading", Float),
    Column("altitude_m", Float),
    Column("accuracy_m", Float),
    Column("ignition", Boolean),
    Column("odometer_km", Float),
    Column("battery_v", Float),
    Column("door_open", Boolean),
    Column("defrost", Boolean),
    Column("temperatures", JSONB, nullable=False),
    Column("attributes", JSONB, nullable=False),
    Column("event_id", Uuid, nullable=False),
    # History is idempotent on (vehicle, device time): a redelivered or duplicate fix
    # is a no-op, and range queries per vehicle use this index.
    PrimaryKeyConstraint("vehicle_id", "device_time", name="positions_pkey"),
)
