"""An order as placed: its zone, loads, stops and time windows, and what an amendment may change."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coldchain_contracts.envelope import UtcDatetime
from coldchain_contracts.fleet import TemperatureZone


class OrderStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PLANNED = "planned"
    ASSIGNED = "assigned"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"


class RejectionReason(StrEnum):
    UNKNOWN_SITE = "unknown_site"
    ZONE_SITE_MISMATCH = "zone_site_mismatch"
    SITE_ROLE_MISMATCH = "site_role_mismatch"
    WINDOW_IMPOSSIBLE = "window_impossible"
    DUPLICATE_NUMBER = "duplicate_number"


class TimeWindow(BaseModel):
    """An interval of instants; a window across midnight is simply one that ends the next day."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    start: UtcDatetime
    end: UtcDatetime


class OrderStop(BaseModel):
    """One end of an order: a known site, or an ad-hoc address with coordinates."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    site_id: str | None = Field(default=None, min_length=1, max_length=64)
    address: str = Field(default="", max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    window: TimeWindow
    service_minutes: int | None = Field(
        default=None, ge=0, le=24 * 60, description="None: the site's loading/unloading minutes"
    )

    @model_validator(mode="after")
    def _site_or_coordinates(self) -> OrderStop:
        if self.site_id is None and (self.latitude is None or self.longitude is None):
            raise ValueError("a stop needs a site_id, or an address with latitude and longitude")
        return self


class OrderSpec(BaseModel):
    """What the customer asked for: the order's content, as placed or last amended."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_number: str = Field(min_length=1, max_length=64, description="Unique per operator")
    zone: TemperatureZone
    setpoint_celsius: float | None = Field(default=None, ge=-40, le=30)
    pallets: int = Field(ge=1, le=60)
    weight_kg: float = Field(ge=0, le=60_000)
    volume_m3: float | None = Field(default=None, ge=0, le=200)
    goods: str = Field(default="", max_length=500)
    pickup: OrderStop
    dropoff: OrderStop
    priority: int = Field(default=5, ge=1, le=10, description="1 highest, 10 lowest")
    forklift_required: bool = False
    requested_date: date
    notes: str = Field(default="", max_length=2000)


class OrderChanges(BaseModel):
    """A partial amendment: the fields given replace the order's; None leaves them as they are."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_number: str | None = Field(default=None, min_length=1, max_length=64)
    zone: TemperatureZone | None = None
    setpoint_celsius: float | None = Field(default=None, ge=-40, le=30)
    pallets: int | None = Field(default=None, ge=1, le=60)
    weight_kg: float | None = Field(default=None, ge=0, le=60_000)
    volume_m3: float | None = Field(default=None, ge=0, le=200)
    goods: str | None = Field(default=None, max_length=500)
    pickup: OrderStop | None = None
    dropoff: OrderStop | None = None
    priority: int | None = Field(default=None, ge=1, le=10)
    forklift_required: bool | None = None
    requested_date: date | None = None
    notes: str | None = Field(default=None, max_length=2000)
