"""Tables of the `tracking` schema (the DDL, partitioning included, is in migrations/).

`positions` is range-partitioned by day of `device_time` with a DEFAULT partition;
queries and inserts address the parent and PostgreSQL routes and prunes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

SCHEMA = "tracking"
metadata = MetaData(schema=SCHEMA)

positions = Table(
    "positions",
    metadata,
    Column("vehicle_id", Text, nullable=False),
    Column("device_time", DateTime(timezone=True), nullable=False),
    Column("device_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("speed_kmh", Float),
    Column("heading", Float),
    Column("altitude_m", Float),
    Column("accuracy_m", Float),
    Column("ignition", Boolean),
    Column("odometer_km", Float),
    Column("battery_v", Float),
    Column("door_open", Boolean),
    Column("defrost", Boolean),
    Column("temperatures", JSONB, nullable=False),
    Column("attributes", JSONB, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("source", Text),
    Column("fix_time", DateTime(timezone=True)),
    Column("gps_valid", Boolean, nullable=False),
    Column("hdop", Float),
    Column("satellites", Integer),
    Column("driver_id", Text),
    # History is idempotent on (vehicle, device time): a redelivered or duplicate fix
    # is a no-op, and range queries per vehicle use this index. It is also the
    # partition key's column, as PostgreSQL requires of a unique constraint.
    PrimaryKeyConstraint("vehicle_id", "device_time", name="positions_pkey"),
)


def _period(name: str, id_column: str, *columns: Column[object]) -> Table:
    """A trip/stop/excursion/alert: opened by one event, closed by another."""
    return Table(
        name,
        metadata,
        Column(id_column, Uuid, primary_key=True),
        Column("vehicle_id", Text, nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False),
        Column("ended_at", DateTime(timezone=True)),
        *columns,
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


trips = _period(
    "trips",
    "trip_id",
    Column("start_latitude", Float),
    Column("start_longitude", Float),
    Column("end_latitude", Float),
    Column("end_longitude", Float),
    Column("distance_km", Float),
)
stops = _period(
    "stops",
    "stop_id",
    Column("latitude", Float),
    Column("longitude", Float),
    Column("duration_s", Float),
)
excursions = _period(
    "excursions",
    "excursion_id",
    Column("channel", Text, nullable=False),
    Column("zone", Text),
    Column("band_low_celsius", Float),
    Column("band_high_celsius", Float),
    Column("opened_at", DateTime(timezone=True)),
    Column("opened_celsius", Float),
    Column("peak_celsius", Float),
    Column("duration_s", Float),
    Column("latitude", Float),
    Column("longitude", Float),
)
alerts = _period(
    "alerts",
    "alert_id",
    Column("kind", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("latitude", Float),
    Column("longitude", Float),
)
projected_events = Table(
    "projected_events",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("projected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# Orders as far as the analysis needs them (projected from orders.events.v1): the vehicle
# an order is on board of, since when, its zone, setpoint and drop-off site.
order_loads = Table(
    "order_loads",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("vehicle_id", Text),
    Column("departed_at", DateTime(timezone=True)),
    Column("zone", Text),
    Column("setpoint_celsius", Float),
    Column("dropoff_site_id", Text),
    Column("order_number", Text),
    Column("pallets", Integer),
    Column("pickup_arrived_at", DateTime(timezone=True)),
    Column("pickup_on_time", Boolean),
    Column("dropoff_arrived_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("delivery_on_time", Boolean),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# Which compartment channels of a vehicle each order was planned into (projected from the
# per-compartment loads on dispatch.assignments.v1), written only by a newer route revision.
order_compartments = Table(
    "order_compartments",
    metadata,
    Column("order_id", Uuid, nullable=False),
    Column("vehicle_id", Text, nullable=False),
    Column("channels", ARRAY(Text), nullable=False),
    Column("route_revision", Integer, nullable=False),
    Column("plan_id", Uuid, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("order_id", "vehicle_id", name="order_compartments_pkey"),
)
