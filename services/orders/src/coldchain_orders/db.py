"""Tables of the `orders` schema."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text, Uuid

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
