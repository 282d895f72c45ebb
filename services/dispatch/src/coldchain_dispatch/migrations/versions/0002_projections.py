"""Projections of vehicles, sites and live positions.

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


def upgrade() -> None:
    op.create_table(
        "vehicles",
        sa.Column("vehicle_id", sa.Text, primary_key=True),
        sa.Column("body_type", sa.Text, nullable=False),
        sa.Column("compartments", JSONB, nullable=False),
        sa.Column("weight_capacity_kg", sa.Float),
        sa.Column("forklift", sa.Boolean, nullable=False),
        sa.Column("depot_latitude", sa.Float),
        sa.Column("depot_longitude", sa.Float),
        sa.Column("depot_site_id", sa.Text),
        sa.Column("shift_start", sa.Time),
        sa.Column("shift_end", sa.Time),
        sa.Column("max_route_minutes", sa.Integer),
        sa.Column("cost_per_km", sa.Float),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="dispatch",
    )
    op.create_table(
        "sites",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("opening_hours", JSONB, nullable=False),
        sa.Column("loading_minutes", sa.Integer, nullable=False),
        sa.Column("unloading_minutes", sa.Integer, nullable=False),
        sa.Column("forklift", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="dispatch",
    )
    op.create_table(
        "vehicle_positions",
        sa.Column("vehicle_id", sa.Text, primary_key=True),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("motion", sa.Text, nullable=False),
        schema="dispatch",
    )


def downgrade() -> None:
    for table in ("vehicle_positions", "sites", "vehicles"):
        op.drop_table(table, schema="dispatch")
