"""Position history.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "tracking"


def upgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("vehicle_id", sa.Text, nullable=False),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("speed_kmh", sa.Float),
        sa.Column("heading", sa.Float),
        sa.Column("altitude_m", sa.Float),
        sa.Column("accuracy_m", sa.Float),
        sa.Column("ignition", sa.Boolean),
        sa.Column("odometer_km", sa.Float),
        sa.Column("battery_v", sa.Float),
        sa.Column("door_open", sa.Boolean),
        sa.Column("defrost", sa.Boolean),
        sa.Column("temperatures", JSONB, nullable=False),
        sa.Column("attributes", JSONB, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.PrimaryKeyConstraint("vehicle_id", "device_time", name="positions_pkey"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("positions", schema=SCHEMA)
