"""Trips, stops, excursions and alerts projected from `tracking.events.v1`.

One row per trip/stop/excursion/alert id: the opening event inserts it, the closing
event fills in its end (either may come first; both carry the start). The inbox
`projected_events` makes the projection idempotent by event id.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {
    "trips": """
        trip_id uuid PRIMARY KEY,
        vehicle_id text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        start_latitude double precision,
        start_longitude double precision,
        end_latitude double precision,
        end_longitude double precision,
        distance_km double precision
    """,
    "stops": """
        stop_id uuid PRIMARY KEY,
        vehicle_id text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        latitude double precision,
        longitude double precision,
        duration_s double precision
    """,
    "excursions": """
        excursion_id uuid PRIMARY KEY,
        vehicle_id text NOT NULL,
        channel text NOT NULL,
        zone text,
        band_low_celsius double precision,
        band_high_celsius double precision,
        started_at timestamptz NOT NULL,
        opened_at timestamptz,
        ended_at timestamptz,
        opened_celsius double precision,
        peak_celsius double precision,
        duration_s double precision,
        latitude double precision,
        longitude double precision
    """,
    "alerts": """
        alert_id uuid PRIMARY KEY,
        vehicle_id text NOT NULL,
        kind text NOT NULL,
        detail text NOT NULL DEFAULT '',
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        latitude double precision,
        longitude double precision
    """,
}
ID = {"trips": "trip_id", "stops": "stop_id", "excursions": "excursion_id", "alerts": "alert_id"}


def upgrade() -> None:
    for table, columns in TABLES.items():
        op.execute(
            f"CREATE TABLE tracking.{table} ({columns}, updated_at timestamptz NOT NULL DEFAULT now())"
        )
        # Listing a vehicle's rows by start time, keyset-paginated on (started_at, id).
        op.execute(
            f"CREATE INDEX {table}_vehicle_started ON tracking.{table} (vehicle_id, started_at, {ID[table]})"
        )
    op.execute(
        """
        CREATE TABLE tracking.projected_events (
            event_id uuid PRIMARY KEY,
            event_type text NOT NULL,
            projected_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX projected_events_at ON tracking.projected_events USING brin (projected_at)")


def downgrade() -> None:
    op.execute("DROP TABLE tracking.projected_events")
    for table in TABLES:
        op.execute(f"DROP TABLE tracking.{table}")
