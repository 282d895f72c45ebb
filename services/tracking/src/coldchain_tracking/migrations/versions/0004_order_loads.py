"""Orders on board: tracking's projection of `orders.events.v1` for the analysis.

One row per order, updated only by a newer order version (idempotent on redelivery).
Delivered, cancelled and failed orders keep their row, so an older event redelivered
later cannot put them back on board. The partial index serves "what is on board".

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE tracking.order_loads (
            order_id uuid PRIMARY KEY,
            version integer NOT NULL,
            status text NOT NULL,
            vehicle_id text,
            departed_at timestamptz,
            zone text,
            setpoint_celsius double precision,
            dropoff_site_id text,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX order_loads_on_board ON tracking.order_loads (vehicle_id) WHERE status = 'picked_up'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE tracking.order_loads")
