"""Custom geofences (circles and polygons) next to the sites' own, for the analysis.

Stored in the same Redis hash as the site geofences (see `reference`). Custom ids allow
no `:`, so the sites' own (`site:<site_id>`) cannot be touched here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coldchain_tracking.analysis.geofences import Geofence
from coldchain_tracking.reference import ReferenceData

router = APIRouter(prefix="/v1/geofences", tags=["geofences"])
GeofenceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class Circle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=50_000)


class GeofenceBody(BaseModel):
    """Exactly one of `circle` or `polygon` ([latitude, longitude] vertices, at least 3)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    circle: Circle | None = None
    polygon: list[tuple[float, float]] | None = Field(default=None, min_length=3, max_length=1000)

    @model_validator(mode="after")
    def one_shape(self) -> GeofenceBody:
        if (self.circle is None) == (self.polygon is None):
            raise ValueError("give exactly one of circle or polygon")
        for lat, lon in self.polygon or ():
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"vertex ({lat}, {lon}) is not a WGS84 position")
        return self


def _reference(request: Request) -> ReferenceData:
    reference: ReferenceData = request.app.state.reference
    return reference


@router.get("", summary="Every geofence the analysis uses (sites' and custom)")
async def list_geofences(request: Request) -> dict[str, Any]:
    fences = _reference(request).geofences
    return {"count": len(fences), "geofences": [f.model_dump(mode="json") for f in fences]}


@router.put("/{geofence_id}", summary="Create or replace a custom geofence")
async def put_geofence(geofence_id: GeofenceId, body: GeofenceBody, request: Request) -> dict[str, Any]:
    if body.circle is not None:
        fence = Geofence(
            geofence_id=geofence_id,
            name=body.name,
            latitude=body.circle.latitude,
            longitude=body.circle.longitude,
            radius_m=body.circle.radius_m,
        )
    else:
        fence = Geofence(geofence_id=geofence_id, name=body.name, polygon=tuple(body.polygon or ()))
    await _reference(request).put_geofence(fence)
    return fence.model_dump(mode="json")


@router.delete("/{geofence_id}", status_code=204, summary="Remove a custom geofence")
async def delete_geofence(geofence_id: GeofenceId, request: Request) -> Response:
    reference = _reference(request)
    if all(f.geofence_id != geofence_id for f in reference.geofences):
        raise HTTPException(404, f"No geofence {geofence_id!r}")
    await reference.delete_geofence(geofence_id)
    return Response(status_code=204)
