"""Planned stop times of an assigned order, from its route: they tell one trip from the next.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"


def upgrade() -> None:
    op.add_column("orders", sa.Column("planned_pickup_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("orders", sa.Column("planned_delivery_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("orders", "planned_delivery_at", schema=SCHEMA)
    op.drop_column("orders", "planned_pickup_at", schema=SCHEMA)
