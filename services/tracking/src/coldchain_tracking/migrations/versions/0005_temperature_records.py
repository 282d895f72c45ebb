"""What the temperature record and the KPIs need beyond the analysis.

`order_loads` gains the order's number and pallets, and its pick-up and delivery facts
(arrival, departure, on-time flag) from `OrderPickedUp` / `OrderDelivered`.
`order_compartments` is the projection of `dispatch.assignments.v1`: which compartment
channels of which vehicle each order was planned into (from the per-compartment loads
of its stops); one row per (order, vehicle), written only by a newer route revision.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE tracking.order_loads
            ADD COLUMN order_number text,
            ADD COLUMN pallets integer,
            ADD COLUMN pickup_arrived_at timestamptz,
            ADD COLUMN pickup_on_time boolean,
            ADD COLUMN dropoff_arrived_at timestamptz,
            ADD COLUMN delivered_at timestamptz,
            ADD COLUMN delivery_on_time boolean
        """
    )
    op.execute("CREATE INDEX order_loads_delivered ON tracking.order_loads (delivered_at)")
    op.execute(
        """
        CREATE TABLE tracking.order_compartments (
            order_id uuid NOT NULL,
            vehicle_id text NOT NULL,
            channels text[] NOT NULL,
            route_revision integer NOT NULL,
            plan_id uuid NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (order_id, vehicle_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE tracking.order_compartments")
    op.execute("DROP INDEX tracking.order_loads_delivered")
    op.execute(
        """
        ALTER TABLE tracking.order_loads
            DROP COLUMN order_number, DROP COLUMN pallets, DROP COLUMN pickup_arrived_at,
            DROP COLUMN pickup_on_time, DROP COLUMN dropoff_arrived_at, DROP COLUMN delivered_at,
            DROP COLUMN delivery_on_time
        """
    )
