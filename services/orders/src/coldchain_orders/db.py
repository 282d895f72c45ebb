"""Tables of the `orders` schema."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "orders"
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

# Sites: the whole SiteUpserted record in `record`, the columns queries filter on beside it.
sites = Table(
    "sites",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("record", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("order_number", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("spec", JSONB, nullable=False),
    Column("zone", Text, nullable=False),
    Column("requested_date", Date, nullable=False),
    Column("pickup_site_id", Text),
    Column("dropoff_site_id", Text),
    Column("priority", Integer, nullable=False),
    Column("vehicle_id", Text),
    Column("plan_id", Uuid),
    Column("route_revision", Integer),
    Column("planned_pickup_at", DateTime(timezone=True)),  # from the route: tells trips apart
    Column("planned_delivery_at", DateTime(timezone=True)),
    Column("rejection_reasons", JSONB, nullable=False),
    Column("pickup_arrived_at", DateTime(timezone=True)),
    Column("picked_up_at", DateTime(timezone=True)),
    Column("dropoff_arrived_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("pickup_on_time", Boolean),
    Column("delivery_on_time", Boolean),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One live order per number and operator; a rejected duplicate keeps its number for the record.
    Index(
        "orders_number_uq",
        "operator_id",
        "order_number",
        unique=True,
        postgresql_where=text("status <> 'rejected'"),
    ),
    Index("orders_requested_date_ix", "requested_date"),
    Index("orders_vehicle_ix", "vehicle_id", postgresql_where=text("vehicle_id IS NOT NULL")),
)

# Every event of every order, in the order written: the history `GET /v1/orders/{id}` shows.
order_events = Table(
    "order_events",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("order_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    Index("order_events_order_ix", "order_id", "seq"),
)

# Vehicles: the API's document in `spec`, the published VehicleRegistered in `record`.
vehicles = Table(
    "vehicles",
    metadata,
    Column("vehicle_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("plate", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("depot_site_id", Text),
    Column("spec", JSONB, nullable=False),
    Column("record", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A device is bound to one vehicle at most: the primary key says so, race-free.
vehicle_devices = Table(
    "vehicle_devices",
    metadata,
    Column("device_id", Text, primary_key=True),
    Column("vehicle_id", Text, nullable=False, index=True),
)

# Transactional outbox: written in the state change's transaction, relayed and deleted by
# `relay.OutboxRelay`. `id` orders the rows of one key (see the relay for why that holds).
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("payload", Text),  # NULL: a tombstone (the key was deleted)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("outbox_key_ix", "topic", "key", "id"),
)
