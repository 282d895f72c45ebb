"""What a live-feed client asked for, and whether an item matches it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Channel(StrEnum):
    VEHICLE_STATE = "vehicle_state"
    ALERTS = "alerts"
    ASSIGNMENTS = "assignments"
    ORDERS = "orders"


# Which permission a principal needs to receive a channel.
CHANNEL_PERMISSION: dict[Channel, str] = {
    Channel.VEHICLE_STATE: "vehicles:read",
    Channel.ALERTS: "vehicles:read",
    Channel.ASSIGNMENTS: "assignments:read",
    Channel.ORDERS: "orders:read",
}


class BoundingBox(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_lon: float = Field(ge=-180, le=180)
    min_lat: float = Field(ge=-90, le=90)
    max_lon: float = Field(ge=-180, le=180)
    max_lat: float = Field(ge=-90, le=90)

    @model_validator(mode="after")
    def _ordered(self) -> BoundingBox:
        if self.min_lat > self.max_lat:
            raise ValueError("min_lat must not exceed max_lat")
        return self

    def contains(self, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.min_lon <= self.max_lon:
            return self.min_lon <= lon <= self.max_lon
        return lon >= self.min_lon or lon <= self.max_lon  # box across the antimeridian


class Subscribe(BaseModel):
    """Client message `{"type": "subscribe", ...}`; each one replaces the previous filter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(pattern="^subscribe$")
    channels: frozenset[Channel] = Field(min_length=1)
    vehicles: frozenset[str] | None = Field(
        default=None, max_length=10_000, description="Only these vehicles (default: all)"
    )
    bbox: BoundingBox | None = Field(
        default=None, description="Only vehicle states inside this box (other channels are not positional)"
    )


@dataclass(frozen=True, slots=True)
class LiveItem:
    """One message to fan out, already serialised once for every client."""

    channel: Channel
    key: str
    text: str
    vehicle_ids: frozenset[str] = frozenset()
    position: tuple[float, float] | None = None


def matches(sub: Subscribe, item: LiveItem) -> bool:
    if item.channel not in sub.channels:
        return False
    if sub.vehicles is not None and not (item.vehicle_ids & sub.vehicles):
        return False
    if sub.bbox is not None and item.channel is Channel.VEHICLE_STATE:
        return item.position is not None and sub.bbox.contains(*item.position)
    return True
