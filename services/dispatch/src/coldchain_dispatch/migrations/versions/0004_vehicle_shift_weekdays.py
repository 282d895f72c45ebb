"""Vehicles projection: the weekdays a vehicle's shift runs (null: every day).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("vehicles", sa.Column("shift_weekdays", JSONB), schema="dispatch")


def downgrade() -> None:
    op.drop_column("vehicles", "shift_weekdays", schema="dispatch")
