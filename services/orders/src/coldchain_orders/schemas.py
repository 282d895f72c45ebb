"""Request bodies of the orders service's HTTP API (sites are written here, synchronously)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import Contact, ForkliftPolicy, OpeningHours, SiteRole, TemperatureZone

SITE_EXAMPLE: dict[str, Any] = {
    "code": "ICN-HUB",
    "name": "Icheon cold storage hub",
    "address": "Majang-myeon, Icheon-si, Gyeonggi-do",
    "latitude": 37.2343,
    "longitude": 127.3589,
    "role": "pickup",
    "zones": ["frozen", "chilled"],
    "opening_hours": [{"weekday": d, "opens": "05:00", "closes": "22:00"} for d in range(6)],
    "loading_minutes": 45,
    "unloading_minutes": 30,
    "forklift": "available",
    "contact": {"name": "Kim", "phone": "+82-31-000-0000"},
}


class SiteIn(BaseModel):
    """A whole site (PUT). `code` defaults to the site id of the URL."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SITE_EXAMPLE]})

    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    role: SiteRole = SiteRole.BOTH
    zones: list[TemperatureZone] = Field(default_factory=list)
    opening_hours: list[OpeningHours] = Field(default_factory=list, max_length=70)
    loading_minutes: int = Field(default=30, ge=0, le=24 * 60)
    unloading_minutes: int = Field(default=30, ge=0, le=24 * 60)
    forklift: ForkliftPolicy = ForkliftPolicy.NONE
    contact: Contact = Field(default_factory=Contact)
    geofence_radius_m: float = Field(default=150, gt=0, le=10_000)
    active: bool = True


class SitePatch(BaseModel):
    """Some fields of a site (PATCH); those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    role: SiteRole | None = None
    zones: list[TemperatureZone] | None = None
    opening_hours: list[OpeningHours] | None = Field(default=None, max_length=70)
    loading_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    unloading_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    forklift: ForkliftPolicy | None = None
    contact: Contact | None = None
    geofence_radius_m: float | None = Field(default=None, gt=0, le=10_000)
    active: bool | None = None
