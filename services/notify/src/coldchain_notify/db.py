"""Tables of the `notify` schema.

`deliveries` is both the queue and the delivery log: one row per (event, rule, channel,
escalation step), unique, so a redelivered event never notifies twice; each try is a row
of `delivery_attempts` with its status code.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

SCHEMA = "notify"
metadata = MetaData(schema=SCHEMA)

channels = Table(
    "channels",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("spec", JSONB, nullable=False),
    Column("secret", Text, nullable=True),
    Column("old_secret", Text, nullable=True),
    Column("old_secret_until", DateTime(timezone=True), nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("disabled_reason", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

rules = Table(
    "rules",
    metadata,
    Column("rule_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("spec", JSONB, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("alert_id", UUID(as_uuid=True), primary_key=True),
    Column("rule_id", Text, primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("vehicle_id", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("step", Integer, nullable=False),
    Column("next_escalation_at", DateTime(timezone=True), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Index("incidents_due", "next_escalation_at", postgresql_where="next_escalation_at IS NOT NULL"),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("alert_id", UUID(as_uuid=True), primary_key=True),
    Column("operator_id", Text, nullable=False),
    Column("acknowledged_by", Text, nullable=False),
    Column("acknowledged_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", UUID(as_uuid=True), primary_key=True),
    Column("channel_id", Text, ForeignKey("notify.channels.channel_id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("alert_id", UUID(as_uuid=True), nullable=True),
    Column("step", Integer, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("event_id", "rule_id", "channel_id", "step", name="deliveries_once"),
    Index("deliveries_due", "due_at", postgresql_where="status = 'pending'"),
    Index("deliveries_by_alert", "alert_id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column(
        "delivery_id",
        UUID(as_uuid=True),
        ForeignKey("notify.deliveries.delivery_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("attempt", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Float, nullable=False),
)
