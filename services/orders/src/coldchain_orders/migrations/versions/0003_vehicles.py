"""Vehicles (master data) with their bound devices; outbox rows may be tombstones.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vehicles",
        sa.Column("vehicle_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("plate", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("depot_site_id", sa.Text, nullable=False),
        sa.Column("spec", JSONB, nullable=False),
        sa.Column("record", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "vehicle_devices",
        sa.Column("device_id", sa.Text, primary_key=True),
        sa.Column("vehicle_id", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("vehicle_devices_vehicle_ix", "vehicle_devices", ["vehicle_id"], schema=SCHEMA)
    op.alter_column("outbox", "payload", nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.outbox WHERE payload IS NULL")
    op.alter_column("outbox", "payload", nullable=False, schema=SCHEMA)
    op.drop_table("vehicle_devices", schema=SCHEMA)
    op.drop_table("vehicles", schema=SCHEMA)
