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
    Column("shift_weekdays", JSONB),  # local weekdays, 0 = Monday; null: every day
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

# Projection of orders.events.v1: each order's latest known state (latest version wins).
# Closed orders (delivered, cancelled, failed, rejected) keep their row so an older,
# redelivered event can never reopen them; planning reads only the open statuses.
orders = Table(
    "orders",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("spec", JSONB),  # the OrderSpec; None until an event carrying it was seen
    Column("vehicle_id", Text),  # assigned or carrying vehicle
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every plan dispatch made: a requested plan, an insertion or a breakdown re-plan.
# `inputs` is the serialised planning Problem (plus what publishing needs), enough to
# replay it; `assignments` are the RouteAssigned messages exactly as published, so a
# redelivered command republishes them instead of planning twice.
plans = Table(
    "plans",
    metadata,
    Column("plan_id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),  # request | insertion | breakdown
    Column("parent_plan_id", Uuid),
    Column("command_id", Uuid, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),  # done | failed
    Column("engine", Text, nullable=False),
    Column("settings", JSONB, nullable=False),
    Column("inputs", JSONB),
    Column("duration_s", Float),
    Column("kpis", JSONB),
    Column("dropped", JSONB),
    Column("routes", JSONB),
    Column("assignments", JSONB),
    Column("error", Text),
)

# The last revision published per vehicle on dispatch.assignments.v1.
route_revisions = Table(
    "route_revisions",
    metadata,
    Column("vehicle_id", Text, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("plan_id", Uuid, nullable=False),
)
