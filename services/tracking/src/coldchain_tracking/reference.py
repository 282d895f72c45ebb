"""Reference data the analysis reads: geofences (sites and custom ones) and compartments.

Projections of `fleet.sites.v1` (each active site becomes a circle geofence with its
`geofence_radius_m`) and `fleet.vehicles.v1` (each vehicle's compartments), written to
Redis hashes by the one replica that owns each partition and cached in memory by every
replica (refreshed every few seconds), since any replica may analyse any vehicle.
Custom geofences (circles or polygons) go into the same hash under their own ids.
"""

from __future__ import annotations

from pydantic import TypeAdapter
from redis.asyncio import Redis

from coldchain_contracts import Compartment, SiteUpserted, VehicleRegistered
from coldchain_tracking.analysis.geofences import Geofence, GeofenceIndex

GEOFENCES_KEY = "tracking:geofences"
COMPARTMENTS_KEY = "tracking:compartments"
_COMPARTMENTS = TypeAdapter(tuple[Compartment, ...])


class ReferenceData:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._geofences: tuple[Geofence, ...] = ()
        self.index = GeofenceIndex(())
        self.compartments: dict[str, tuple[Compartment, ...]] = {}

    @property
    def geofences(self) -> tuple[Geofence, ...]:
        return self._geofences

    @geofences.setter
    def geofences(self, fences: tuple[Geofence, ...]) -> None:
        # Indexed once per change, not per vehicle or fix. Fences a vehicle is in are observed
        # whatever the index says, so its padding only serves entering.
        if fences != self._geofences:
            self._geofences = fences
            self.index = GeofenceIndex(fences)

    async def load(self) -> None:
        fences = await self._redis.hgetall(GEOFENCES_KEY)
        compartments = await self._redis.hgetall(COMPARTMENTS_KEY)
        self.geofences = tuple(
            sorted((Geofence.model_validate_json(v) for v in fences.values()), key=lambda g: g.geofence_id)
        )
        self.compartments = {_text(k): _COMPARTMENTS.validate_json(v) for k, v in compartments.items()}

    async def apply_site(self, site: SiteUpserted) -> None:
        fence = Geofence.of_site(site)
        await self.put_geofence(fence) if site.active else await self.delete_geofence(fence.geofence_id)

    async def put_geofence(self, fence: Geofence) -> None:
        await self._redis.hset(GEOFENCES_KEY, fence.geofence_id, fence.model_dump_json())
        self.geofences = tuple(
            sorted(
                [*(g for g in self.geofences if g.geofence_id != fence.geofence_id), fence],
                key=lambda g: g.geofence_id,
            )
        )

    async def delete_geofence(self, geofence_id: str) -> None:
        await self._redis.hdel(GEOFENCES_KEY, geofence_id)
        self.geofences = tuple(g for g in self.geofences if g.geofence_id != geofence_id)

    async def apply_vehicle(self, vehicle: VehicleRegistered) -> None:
        compartments = vehicle.compartments if vehicle.active else ()
        if compartments:
            raw = _COMPARTMENTS.dump_json(compartments)
            await self._redis.hset(COMPARTMENTS_KEY, vehicle.vehicle_id, raw)
            self.compartments = {**self.compartments, vehicle.vehicle_id: compartments}
        else:
            await self._redis.hdel(COMPARTMENTS_KEY, vehicle.vehicle_id)
            self.compartments = {k: v for k, v in self.compartments.items() if k != vehicle.vehicle_id}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
