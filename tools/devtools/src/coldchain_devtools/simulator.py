"""Telematics simulator: trucks driving between Seoul-area anchors with reefer temperatures.

Pure movement logic (`Truck.step`) is separate from the HTTP loop so it can be tested.
Each truck drives to an anchor at an urban speed along a two-leg, road-like route,
dwells there (speed 0, engine off at about half the stops) for a while, then picks
another anchor. Temperatures wander inside the band
of the truck's body type, with an occasional door opening.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from coldchain_devtools import sim_fleet, sim_seed
from coldchain_devtools.sim_orders import ANCHORS
from coldchain_servicekit.geo import haversine_m

# Band centre and spread (°C) per body type; ambient trucks report no reefer channel.
BANDS: dict[str, tuple[float, float] | None] = {
    "frozen": (-20.0, 1.0),
    "dual": (-20.0, 1.0),  # channel A frozen; channel B chilled, see Truck.fix
    "chilled": (3.0, 0.8),
    "ambient": None,
}
# The gateway registers this integration key at start in dev mode only (docs/gateway-security.md).
DEV_INGEST_KEY = "cci_dev-ingest-key-not-for-production"


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def road_like_route(start: tuple[float, float], target: tuple[float, float]) -> list[tuple[float, float]]:
    """Two legs, north-south then east-west, the way arterial roads run, not a beeline."""
    return [(target[0], start[1]), target]


@dataclass
class Truck:
    device_id: str
    body: str
    position: tuple[float, float]
    route: list[tuple[float, float]]
    rng: random.Random
    speed_kmh: float = 0.0
    dwell_s: float = 0.0
    ignition: bool = True
    heading: float = 0.0
    temperature: float = 0.0
    odometer_km: float = field(default=0.0)

    def step(self, dt_s: float) -> None:
        """Advance the truck by dt seconds: drive along its route, or dwell at a stop."""
        if self.dwell_s > 0:
            self._dwell(dt_s)
        else:
            self._drive(dt_s)
        band = BANDS[self.body]
        if band:
            centre, spread = band
            self.temperature += (centre - self.temperature) * 0.2 + self.rng.gauss(0, spread * 0.3)

    def _dwell(self, dt_s: float) -> None:
        self.dwell_s -= dt_s
        self.speed_kmh = 0.0
        if self.dwell_s <= 0:
            self.ignition = True
            self.route = road_like_route(self.position, self.rng.choice(list(ANCHORS.values())))

    def _drive(self, dt_s: float) -> None:
        self.speed_kmh = max(5.0, min(70.0, self.rng.gauss(40.0, 10.0)))
        travel = self.speed_kmh / 3.6 * dt_s
        self.odometer_km += travel / 1000
        while self.route and travel > 0:
            waypoint = self.route[0]
            remaining = haversine_m(self.position, waypoint)
            if remaining > 0:
                self.heading = bearing_deg(self.position, waypoint)
            if travel >= remaining:
                self.position, travel = waypoint, travel - remaining
                self.route.pop(0)
            else:
                f = travel / remaining
                self.position = (
                    self.position[0] + (waypoint[0] - self.position[0]) * f,
                    self.position[1] + (waypoint[1] - self.position[1]) * f,
                )
                travel = 0
        if not self.route:  # arrived: load or unload, engine off for about half the stops
            self.dwell_s = self.rng.uniform(120, 900)
            self.ignition = self.rng.random() < 0.5

    def fix(self, now: datetime) -> dict[str, Any]:
        band = BANDS[self.body]
        temps = (
            [{"channel": "A", "celsius": round(self.temperature, 1), "setpoint_celsius": band[0]}]
            if band
            else []
        )
        if self.body == "dual":
            chilled = BANDS["chilled"]
            assert chilled is not None
            reading = chilled[0] + (self.temperature - band[0]) * 0.5  # type: ignore[index]
            temps.append({"channel": "B", "celsius": round(reading, 1), "setpoint_celsius": chilled[0]})
        return {
            "device_id": self.device_id,
            "time": now.isoformat(),
            "latitude": round(self.position[0], 6),
            "longitude": round(self.position[1], 6),
            "speed_kmh": round(self.speed_kmh, 1),
            "heading": round(self.heading, 1),
            "ignition": self.ignition,
            "odometer_km": round(self.odometer_km, 2),
            "door_open": self.dwell_s > 0 and self.rng.random() < 0.2,
            "temperatures": temps,
        }


def make_fleet(count: int, seed: int = 7) -> list[Truck]:
    rng = random.Random(seed)
    anchors = list(ANCHORS.values())
    fleet = []
    for i in range(count):
        body = sim_fleet.body_of(i)  # the body its registered vehicle has
        start = anchors[i % len(anchors)]
        band = BANDS[body]
        fleet.append(
            Truck(
                device_id=sim_fleet.device_id(i),
                body=body,
                position=(start[0] + rng.uniform(-0.01, 0.01), start[1] + rng.uniform(-0.01, 0.01)),
                route=road_like_route(start, rng.choice(anchors)),
                rng=random.Random(seed * 1000 + i),
                temperature=band[0] if band else 0.0,
            )
        )
    return fleet


async def run(
    gateway: str, count: int, interval_s: float, ticks: int | None, api_key: str, orders: int = 0
) -> None:
    fleet = make_fleet(count)
    headers = {"X-API-Key": api_key}
    async with httpx.AsyncClient(base_url=gateway, timeout=10, headers=headers) as client:
        # Seeding (and the first plan) runs beside the driving, which starts at once.
        seeding = asyncio.create_task(sim_seed.seed_operator(gateway, count, orders)) if orders else None
        tick = 0
        while ticks is None or tick < ticks:
            now = datetime.now(UTC)
            for truck in fleet:
                truck.step(interval_s)
            try:
                response = await client.post("/v1/telemetry/gps", json={"fixes": [t.fix(now) for t in fleet]})
                if response.status_code != 202:
                    print(
                        f"simulator: gateway answered {response.status_code}: {response.text[:200]}",
                        flush=True,
                    )
            except httpx.HTTPError as exc:
                print(f"simulator: gateway unreachable ({exc!r}); retrying", flush=True)
            tick += 1
            await asyncio.sleep(interval_s)
        if seeding is not None:
            await seeding


def main() -> None:
    parser = argparse.ArgumentParser(description="Post simulated truck fixes to the gateway")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--trucks", type=int, default=20)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--ticks", type=int, default=None, help="Stop after N rounds (default: forever)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("COLDCHAIN_INGEST_KEY", DEV_INGEST_KEY),
        help="Integration key or device token with telemetry:ingest (default: $COLDCHAIN_INGEST_KEY, "
        "else the gateway's dev-mode key)",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=40,
        help="Seed the operator (sites, vehicles, a dispatcher) with N orders a day for today and tomorrow, "
        "and request a plan (0: seed nothing)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.gateway, args.trucks, args.interval, args.ticks, args.api_key, args.orders))


if __name__ == "__main__":
    main()
