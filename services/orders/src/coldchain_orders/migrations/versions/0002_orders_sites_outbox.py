"""Sites, orders, their event history, and the transactional outbox.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("record", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.Uuid, primary_key=True),
        sa.Column("operator_id", sa.Text, nullable=False),
        sa.Column("order_number", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("spec", JSONB, nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("requested_date", sa.Date, nullable=False),
        sa.Column("pickup_site_id", sa.Text),
        sa.Column("dropoff_site_id", sa.Text),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("vehicle_id", sa.Text),
        sa.Column("plan_id", sa.Uuid),
        sa.Column("route_revision", sa.Integer),
        sa.Column("rejection_reasons", JSONB, nullable=False),
        sa.Column("pickup_arrived_at", TZ),
        sa.Column("picked_up_at", TZ),
        sa.Column("dropoff_arrived_at", TZ),
        sa.Column("delivered_at", TZ),
        sa.Column("pickup_on_time", sa.Boolean),
        sa.Column("delivery_on_time", sa.Boolean),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "orders_number_uq",
        "orders",
        ["operator_id", "order_number"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status <> 'rejected'"),
    )
    op.create_index("orders_requested_date_ix", "orders", ["requested_date"], schema=SCHEMA)
    op.create_index(
        "orders_vehicle_ix",
        "orders",
        ["vehicle_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("vehicle_id IS NOT NULL"),
    )
    op.create_table(
        "order_events",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("order_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("order_events_order_ix", "order_events", ["order_id", "seq"], schema=SCHEMA)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("outbox_key_ix", "outbox", ["topic", "key", "id"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("outbox", "order_events", "orders", "sites"):
        op.drop_table(table, schema=SCHEMA)
