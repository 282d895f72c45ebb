"""Sites: customers' pick-up and drop-off places, owned by the orders service.

Published on the compacted `fleet.sites.v1` so tracking (geofences) and dispatch
(locations, opening hours) keep their own projections.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts.envelope import Envelope
from coldchain_contracts.fleet import TemperatureZone


class SiteRole(StrEnum):
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    BOTH = "both"


class ForkliftPolicy(StrEnum):
    """`available`: the site unloads with its own forklift; `required`: the vehicle must bring one."""

    NONE = "none"
    AVAILABLE = "available"
    REQUIRED = "required"


class OpeningHours(BaseModel):
    """One opening interval on a weekday (0 = Monday). `closes` <= `opens` crosses midnight."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    weekday: int = Field(ge=0, le=6)
    opens: time
    closes: time


class Contact(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = ""
    phone: str = ""
    email: str = ""


class SiteUpserted(Envelope):
    """Topic `fleet.sites.v1` (compacted), key `site_id`: the site as it is now.

    Each message is the full record. A removed site is published with `active=False`
    (and may later be tombstoned by compaction).
    """

    event_type: Literal["SiteUpserted"] = "SiteUpserted"
    site_id: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64, description="Operator's own code, unique")
    name: str = ""
    address: str = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    role: SiteRole = SiteRole.BOTH
    opening_hours: tuple[OpeningHours, ...] = Field(default=(), description="Empty means always open")
    loading_minutes: int = Field(default=30, ge=0)
    unloading_minutes: int = Field(default=30, ge=0)
    forklift: ForkliftPolicy = ForkliftPolicy.NONE
    contact: Contact = Field(default_factory=Contact)
    geofence_radius_m: float = Field(default=150, gt=0, le=10_000)
    active: bool = True
    zones: tuple[TemperatureZone, ...] = Field(
        default=(), description="Temperature zones the site handles; empty means every zone"
    )

    @classmethod
    def removed(cls, site_id: str) -> SiteUpserted:
        """What a tombstone (null value) for `site_id` means: the site is gone (inactive)."""
        return cls(site_id=site_id, code="-", latitude=0, longitude=0, active=False)
