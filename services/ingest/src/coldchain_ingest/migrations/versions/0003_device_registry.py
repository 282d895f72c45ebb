"""Device registry: protocol and options per device (projection of fleet.devices.v1).

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


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.Text, primary_key=True),
        sa.Column("vehicle_id", sa.Text, nullable=True),
        sa.Column("protocol", sa.Text, nullable=False),
        sa.Column("options", JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="ingest",
    )


def downgrade() -> None:
    op.drop_table("devices", schema="ingest")
