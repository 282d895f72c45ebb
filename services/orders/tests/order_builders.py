"""Builders for order tests: sites, specs and orders in any status, with readable defaults."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coldchain_contracts import (
    OrderSpec,
    OrderStatus,
    PlaceOrder,
    SiteRole,
    SiteUpserted,
    TemperatureZone,
)
from coldchain_orders.domain import Checks, Order

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday 09:00 in Seoul
DAY = date(2026, 12, 1)  # a Tuesday


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), SEOUL).astimezone(UTC)


def site(site_id: str, role: SiteRole = SiteRole.BOTH, **fields: Any) -> SiteUpserted:
    return SiteUpserted(site_id=site_id, code=site_id, latitude=37.5, longitude=127.0, role=role, **fields)


SITES = {"P": site("P", SiteRole.PICKUP), "D": site("D", SiteRole.DROPOFF)}


def spec(**overrides: Any) -> OrderSpec:
    body: dict[str, Any] = {
        "order_number": "PO-1",
        "zone": TemperatureZone.FROZEN,
        "pallets": 6,
        "weight_kg": 540,
        "requested_date": DAY,
        "pickup": {"site_id": "P", "window": {"start": at(6), "end": at(8)}},
        "dropoff": {"site_id": "D", "window": {"start": at(9), "end": at(11)}},
    }
    body.update(overrides)
    return OrderSpec.model_validate(body)


def checks(sites: dict[str, SiteUpserted] | None = None, taken: bool = False) -> Checks:
    return Checks(sites=SITES if sites is None else sites, number_taken=taken, timezone=SEOUL, now=NOW)


def place_command(**spec_overrides: Any) -> PlaceOrder:
    return PlaceOrder(order_id=uuid.uuid4(), order=spec(**spec_overrides))


def order(status: OrderStatus, **fields: Any) -> Order:
    base = Order(
        order_id=uuid.uuid4(),
        operator_id="default",
        spec=spec(),
        status=status,
        version=3,
        updated_at=NOW,
    )
    on_vehicle = status in (OrderStatus.ASSIGNED, OrderStatus.PICKED_UP)
    if on_vehicle:
        base = replace(base, vehicle_id="V1", plan_id=uuid.uuid4(), route_revision=1)
    return replace(base, **fields)


def in_hours(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)
