"""Fleet-wide gauges for dashboards and alerts, refreshed from the database now and then.

Open excursions and the age of the oldest one feed the `ExcursionOpenTooLong` alert: an
excursion stays open while the compartment is out of its band, so an old one means nobody
has brought the load back into its band (the product has no separate acknowledgement yet).
Every replica reports the same fleet-wide values; dashboards and rules take `max`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import Gauge
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_tracking.db import excursions, positions

EXCURSIONS_OPEN = Gauge("tracking_excursions_open", "Temperature excursions open now")
OLDEST_OPEN_S = Gauge(
    "tracking_excursion_oldest_open_seconds", "Age of the oldest open excursion (0 when none is open)"
)
VEHICLES_REPORTING = Gauge(
    "tracking_vehicles_reporting", "Vehicles with a fix (device time) in the last REPORTING_WINDOW"
)
REPORTING_WINDOW = timedelta(minutes=5)


class FleetGauges:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def refresh(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        open_rows = select(func.count(), func.min(excursions.c.started_at)).where(
            excursions.c.ended_at.is_(None)
        )
        # device_time is the partition key and leads the primary key: a recent window is cheap.
        reporting = select(func.count(distinct(positions.c.vehicle_id))).where(
            positions.c.device_time > now - REPORTING_WINDOW, positions.c.device_time <= now
        )
        async with self._engine.connect() as conn:
            count, oldest = (await conn.execute(open_rows)).one()
            vehicles = (await conn.execute(reporting)).scalar_one()
        EXCURSIONS_OPEN.set(count)
        OLDEST_OPEN_S.set(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)
        VEHICLES_REPORTING.set(vehicles)
