"""Position history partitioned by day of device time, with a DEFAULT partition.

The unpartitioned table is renamed, its rows copied into the partitioned one (a
partition per day they span, created by the same function the service's partition
maintainer calls), then dropped. New columns keep the fix's GPS time and quality.

`tracking.ensure_positions_partition(day)` creates one day's partition. Rows of that
day already in the DEFAULT partition (late fixes that arrived before the partition
existed) are moved into it first, in the same transaction, so creating a partition
never fails on them and nothing is lost.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENSURE_PARTITION = """
CREATE OR REPLACE FUNCTION tracking.ensure_positions_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    part text := 'positions_p' || to_char(day, 'YYYYMMDD');
    lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(format('tracking.%I', part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    -- Self-conflicting lock: two replicas creating the same day queue up here.
    -- The DEFAULT partition is locked before its rows move so that no late fix of
    -- that day lands in it between the move and the attach.
    LOCK TABLE tracking.positions IN SHARE UPDATE EXCLUSIVE MODE;
    LOCK TABLE tracking.positions_default IN ACCESS EXCLUSIVE MODE;
    IF to_regclass(format('tracking.%I', part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE tracking.%I (LIKE tracking.positions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
        part
    );
    EXECUTE format(
        'WITH moved AS (DELETE FROM tracking.positions_default'
        ' WHERE device_time >= $1 AND device_time < $2 RETURNING *)'
        ' INSERT INTO tracking.%I SELECT * FROM moved',
        part
    ) USING lo, hi;
    EXECUTE format(
        'ALTER TABLE tracking.positions ATTACH PARTITION tracking.%I FOR VALUES FROM (%L) TO (%L)',
        part, lo, hi
    );
    RETURN true;
END
$fn$
"""

COLUMNS = (
    "vehicle_id, device_time, device_id, received_at, latitude, longitude, speed_kmh, heading,"
    " altitude_m, accuracy_m, ignition, odometer_km, battery_v, door_open, defrost, temperatures,"
    " attributes, event_id"
)


def upgrade() -> None:
    op.execute("ALTER TABLE tracking.positions RENAME TO positions_unpartitioned")
    op.execute(
        "ALTER TABLE tracking.positions_unpartitioned RENAME CONSTRAINT positions_pkey"
        " TO positions_unpartitioned_pkey"
    )
    op.execute(
        """
        CREATE TABLE tracking.positions (
            vehicle_id text NOT NULL,
            device_time timestamptz NOT NULL,
            device_id text NOT NULL,
            received_at timestamptz NOT NULL,
            latitude double precision NOT NULL,
            longitude double precision NOT NULL,
            speed_kmh double precision,
            heading double precision,
            altitude_m double precision,
            accuracy_m double precision,
            ignition boolean,
            odometer_km double precision,
            battery_v double precision,
            door_open boolean,
            defrost boolean,
            temperatures jsonb NOT NULL,
            attributes jsonb NOT NULL,
            event_id uuid NOT NULL,
            source text,
            fix_time timestamptz,
            gps_valid boolean NOT NULL DEFAULT true,
            hdop double precision,
            satellites integer,
            driver_id text,
            CONSTRAINT positions_pkey PRIMARY KEY (vehicle_id, device_time)
        ) PARTITION BY RANGE (device_time)
        """
    )
    op.execute("CREATE TABLE tracking.positions_default PARTITION OF tracking.positions DEFAULT")
    # Moving a day out of DEFAULT (see the function) filters on device_time alone.
    op.execute("CREATE INDEX positions_default_device_time ON tracking.positions_default (device_time)")
    op.execute(ENSURE_PARTITION)
    op.execute(
        """
        SELECT tracking.ensure_positions_partition(day)
        FROM (SELECT DISTINCT (device_time AT TIME ZONE 'UTC')::date AS day
              FROM tracking.positions_unpartitioned) AS days
        """
    )
    op.execute(
        f"INSERT INTO tracking.positions ({COLUMNS}) SELECT {COLUMNS} FROM tracking.positions_unpartitioned"
    )
    op.execute("DROP TABLE tracking.positions_unpartitioned")


def downgrade() -> None:
    """Back to one table; the GPS-quality columns are dropped, every row is kept."""
    op.execute("ALTER TABLE tracking.positions RENAME TO positions_partitioned")
    op.execute(
        "ALTER TABLE tracking.positions_partitioned RENAME CONSTRAINT positions_pkey TO positions_partitioned_pkey"
    )
    # LIKE copies the columns with their NOT NULLs; the partitioning is not copied.
    op.execute("CREATE TABLE tracking.positions (LIKE tracking.positions_partitioned)")
    for column in ("source", "fix_time", "gps_valid", "hdop", "satellites", "driver_id"):
        op.execute(f"ALTER TABLE tracking.positions DROP COLUMN {column}")
    op.execute(
        "ALTER TABLE tracking.positions ADD CONSTRAINT positions_pkey PRIMARY KEY (vehicle_id, device_time)"
    )
    op.execute(
        f"INSERT INTO tracking.positions ({COLUMNS}) SELECT {COLUMNS} FROM tracking.positions_partitioned"
    )
    op.execute("DROP TABLE tracking.positions_partitioned")
    op.execute("DROP FUNCTION tracking.ensure_positions_partition(date)")
