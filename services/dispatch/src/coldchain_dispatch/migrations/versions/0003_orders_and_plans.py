"""Orders projection, plan records and route revisions.

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
        "orders",
        sa.Column("order_id", sa.Uuid, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("spec", JSONB),
        sa.Column("vehicle_id", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="dispatch",
    )
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("parent_plan_id", sa.Uuid),
        sa.Column("command_id", sa.Uuid, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("engine", sa.Text, nullable=False),
        sa.Column("settings", JSONB, nullable=False),
        sa.Column("inputs", JSONB),
        sa.Column("duration_s", sa.Float),
        sa.Column("kpis", JSONB),
        sa.Column("dropped", JSONB),
        sa.Column("routes", JSONB),
        sa.Column("assignments", JSONB),
        sa.Column("error", sa.Text),
        schema="dispatch",
    )
    op.create_index("plans_completed_at", "plans", ["completed_at"], schema="dispatch")
    op.create_table(
        "route_revisions",
        sa.Column("vehicle_id", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Uuid, nullable=False),
        schema="dispatch",
    )


def downgrade() -> None:
    op.drop_table("route_revisions", schema="dispatch")
    op.drop_index("plans_completed_at", table_name="plans", schema="dispatch")
    op.drop_table("plans", schema="dispatch")
    op.drop_table("orders", schema="dispatch")
