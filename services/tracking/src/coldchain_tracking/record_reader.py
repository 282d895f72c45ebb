"""Reads what an order's temperature record is made of and hands it to the pure summary.

- the order (`tracking.order_loads`): vehicle, pick-up departure, delivery departure,
  on-time flags, zone and setpoint, as tracking projected them from `orders.events.v1`;
- its compartments: the channels the order's route placed it in (`order_compartments`,
  from `dispatch.assignments.v1`); without a route record, the vehicle's compartments of
  the order's zone (from `fleet.vehicles.v1`);
- the readings of those channels from the position history, and the excursions tracking
  recorded on them, over [pick-up, delivery] (until now while not delivered).

The band is the order's setpoint ± `TRACKING_SETPOINT_TOLERANCE_C` when it names one,
else its zone's band: the same band the live excursion rule used while the order was on
board (`analysis.loads`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_contracts import ChannelState, Compartment, TemperatureZone, utcnow
from coldchain_tracking.analysis.config import AnalysisConfig
from coldchain_tracking.compartment_store import CompartmentStore
from coldchain_tracking.db import excursions, order_loads
from coldchain_tracking.reports.document import RecordHeader
from coldchain_tracking.reports.record import (
    Band,
    Excursion,
    OrderRecord,
    Reading,
    compartment_record,
    order_record,
)
from coldchain_tracking.repository import PositionHistory

_PAGE = 10_000
MAX_READINGS = 200_000
"""Per order; at one fix every 10 s that is more than 20 days on the road."""


@dataclass(frozen=True)
class RecordReader:
    engine: AsyncEngine
    history: PositionHistory
    compartments: CompartmentStore
    config: AnalysisConfig
    interval: timedelta

    async def read(
        self, order_id: uuid.UUID, vehicle_compartments: Mapping[str, tuple[Compartment, ...]]
    ) -> tuple[RecordHeader, OrderRecord] | None:
        """The order's record, or None when tracking has never heard of the order."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(order_loads).where(order_loads.c.order_id == order_id))).first()
        if row is None:
            return None
        order = dict(row._mapping)
        header = _header(order, self.interval)
        start, vehicle = order["departed_at"], order["vehicle_id"]
        delivered = order["delivered_at"] is not None
        if start is None or vehicle is None:  # not picked up: nothing was in transit yet
            now = utcnow()
            return header, order_record((), now, now, delivered=False)
        end = order["delivered_at"] or utcnow()
        channels = await self.compartments.channels(order_id, vehicle)
        if channels is None:
            zone = order["zone"]
            channels = tuple(c.channel for c in vehicle_compartments.get(vehicle, ()) if c.zone.value == zone)
        band = self._band(order["zone"], order["setpoint_celsius"])
        readings = await self._readings(vehicle, start, end, channels)
        found = await self._excursions(vehicle, start, end, channels)
        records = [
            compartment_record(ch, readings.get(ch, []), band, found.get(ch, []), start, end, self.interval)
            for ch in channels
        ]
        return header, order_record(records, start, end, delivered)

    def _band(self, zone: str | None, setpoint: float | None) -> Band | None:
        if setpoint is not None:
            return Band(
                setpoint - self.config.setpoint_tolerance_c, setpoint + self.config.setpoint_tolerance_c
            )
        limits = self.config.band_of(TemperatureZone(zone)) if zone else None
        return Band(*limits) if limits else None

    async def _readings(
        self, vehicle: str, start: datetime, end: datetime, channels: tuple[str, ...]
    ) -> dict[str, list[Reading]]:
        wanted = set(channels)
        found: dict[str, list[Reading]] = {ch: [] for ch in channels}
        after: datetime | None = None
        total = 0
        # [start, end] inclusive: the fix at the delivery departure belongs to the record.
        stop = end + timedelta(microseconds=1)
        while total < MAX_READINGS:
            rows = await self.history.temperature_log(vehicle, start, stop, _PAGE, after)
            for row in rows:
                for r in row["readings"]:
                    ok = r.get("state", ChannelState.OK.value) == ChannelState.OK.value
                    if r.get("channel") in wanted and ok and r.get("celsius") is not None:
                        found[r["channel"]].append(
                            Reading(row["device_time"], float(r["celsius"]), row["door_open"], row["defrost"])
                        )
            total += len(rows)
            if len(rows) < _PAGE:
                break
            after = rows[-1]["device_time"]
        return found

    async def _excursions(
        self, vehicle: str, start: datetime, end: datetime, channels: tuple[str, ...]
    ) -> dict[str, list[Excursion]]:
        query = select(excursions).where(
            excursions.c.vehicle_id == vehicle,
            excursions.c.channel.in_(channels),
            excursions.c.started_at <= end,
            or_(excursions.c.ended_at.is_(None), excursions.c.ended_at >= start),
        )
        async with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in await conn.execute(query.order_by(excursions.c.started_at))]
        found: dict[str, list[Excursion]] = {}
        for row in rows:
            low, high = row["band_low_celsius"], row["band_high_celsius"]
            found.setdefault(row["channel"], []).append(
                Excursion(
                    excursion_id=str(row["excursion_id"]),
                    started_at=row["started_at"],
                    ended_at=row["ended_at"],
                    peak_celsius=row["peak_celsius"],
                    band=Band(low, high) if low is not None and high is not None else None,
                )
            )
        return found


def _header(order: dict[str, Any], interval: timedelta) -> RecordHeader:
    return RecordHeader(
        order_id=str(order["order_id"]),
        order_number=order["order_number"],
        vehicle_id=order["vehicle_id"],
        status=order["status"],
        zone=order["zone"],
        setpoint_celsius=order["setpoint_celsius"],
        picked_up_at=order["departed_at"],
        delivered_at=order["delivered_at"],
        pickup_on_time=order["pickup_on_time"],
        delivery_on_time=order["delivery_on_time"],
        recording_interval_s=interval.total_seconds(),
    )
