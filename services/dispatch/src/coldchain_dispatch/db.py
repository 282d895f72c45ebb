"""Tables of the `dispatch` schema: the inbox and the projections planning reads."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "dispatch"
metadata = MetaData(schema=SCHEMA)

# Inbox: one row per consumed event, written in the same transaction as its effect,
# so a redelivered message is recognised and skipped.
processed_messages = Table(
    "processed_messages",
    metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("consumer", "event_id", name="processed_messages_pkey"),
)

# Projection of fleet.vehicles.v1: what planning needs of each vehicle.
vehicles = Table(
    "vehicles",
    metadata,
    Column("vehicle_id", Text, primary_key=True),
    Column("body_type", Text, nullable=False),
    Column("compartments", JSONB, nullable=False),
    Column("weight_capacity_kg", Float),
    Column("forklift", Boolean, nullable=False),
    Column("depot_latitude", Float),
    Column("depot_longitude", Float),
    Column("depot_site_id", Text),
    Column("shift_start", Time),
    Column("shift_end", Time),
    Column("max_route_minutes", Integer),
    Column("cost_per_km", Float),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Projection of fleet.sites.v1: locations, opening hours, service times.
sites = Table(
    "sites",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("role", Text, nullable=False),
    Column("opening_hours", JSONB, nullable=False),
    Column("loading_minutes", Integer, nullable=False),
    Column("unloading_minutes", Integer, nullable=False),
    Column("forklift", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Projection of tracking.vehicle-state.v1: where each vehicle is now.
vehicle_positions = Table(
    "vehicle_positions",
    metadata,
    Column("vehicle_id", Text, primary_key=True),
    Column("device_time", DateTime(timezone=True), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("motion", Text, nullable=False),
)
