"""Telematics simulator: trucks with reefer temperatures, posting fixes through the gateway.

Pure movement logic (`Truck.step`) is separate from the I/O so it can be tested. In
`make run` the trucks follow their assignments: each waits at the Icheon hub until
`dispatch.assignments.v1` gives it a route, drives to each stop at an urban speed along a
two-leg, road-like route, stays there for the stop's service time (capped for the demo's
pace, never under tracking's geofence dwell) and drives home after the last one. Without
Kafka (`--kafka` unset) the trucks roam between anchors instead. On a simulated clock
(`make simulate-day`, `sim_day`) a truck also waits at a stop until its planned departure
and runs at highway speed past a leg's first 30 km, as dispatch plans. Each truck's reefer
unit (`sim_thermal`) reports one reading per registered compartment: it holds its setpoint,
warms a little while the door is open at a stop, defrosts now and then, and the unit of
`--failing-truck` fails a few minutes after its first pick-up (docs/fleet.md, "Simulator").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from coldchain_contracts import RouteAssigned
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS
from coldchain_devtools import sim_fleet, sim_orders, sim_seed, sim_thermal
from coldchain_devtools.sim_orders import ANCHORS
from coldchain_devtools.sim_roads import bearing_deg, road_like_route
from coldchain_servicekit.geo import haversine_m

# The gateway registers this integration key at start in dev mode only (docs/gateway-security.md).
DEV_INGEST_KEY = "cci_dev-ingest-key-not-for-production"
# At the demo's pace a truck may start a pick-up this long before its planned arrival (a plan
# schedules a route late in its windows when that shortens it).
PICKUP_EARLY = timedelta(hours=1)


@dataclass(frozen=True)
class Stop:
    """A stop of an assigned route as the simulated driver sees it."""

    position: tuple[float, float]
    service_s: float
    key: str = ""  # order id and stop kind: a stop served once is not driven to again
    leave_at: datetime | None = None
    """Planned departure: a truck with a `clock` waits at the stop until then."""
    arrive_at: datetime | None = None
    """Planned arrival: at the demo's pace a pick-up does not start much before it."""


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
    reefer: sim_thermal.ReeferUnit | None = None
    odometer_km: float = field(default=0.0)
    roam: bool = True
    """Roam between anchors; otherwise follow `stops` (assigned routes) and wait at `home`."""
    home: tuple[float, float] | None = None
    stops: list[Stop] = field(default_factory=list)
    revision: int = -1
    served: set[str] = field(default_factory=set)
    clock: datetime | None = None
    """Simulated now, set by a caller that runs its own clock (`sim_day`); None: no waiting
    for planned departures (the demo's real-time pace)."""
    hold_until: datetime | None = None
    holding: bool = False
    """Served, waiting for the planned departure: doors shut (the reefer holds its setpoint)."""
    wall: datetime | None = None
    """The demo's wall clock, set every tick (no `clock`): a truck waits at a pick-up, doors
    shut, until `PICKUP_EARLY` (an hour) before its planned arrival, so tomorrow's loads wait for
    tomorrow; everything else runs at the demo's pace."""
    highway_kmh: float | None = None
    """Set: past the first 30 km of a leg the truck runs at about this speed (dispatch's
    default speed profile, so long runs take as long as planned); None: urban speeds only."""
    leg_km: float = 0.0

    def assign(self, revision: int, stops: list[Stop]) -> None:
        """Follow a newer route from here on (stops already served are not in it again)."""
        if revision <= self.revision:
            return
        self.revision, self.stops = revision, [s for s in stops if s.key not in self.served]
        if self.dwell_s <= 0:
            self._head_on()

    def _head_on(self) -> None:
        """Drive to the next stop, else back to the depot, else stay parked."""
        self.leg_km = 0.0
        if self.stops:
            self.route = road_like_route(self.position, self.stops[0].position)
        elif self.home is not None and haversine_m(self.position, self.home) > 50:
            self.route = road_like_route(self.position, self.home)
        else:
            self.route = []

    def step(self, dt_s: float) -> None:
        """Advance the truck by dt seconds: drive along its route, or dwell at a stop."""
        door_open = self.dwell_s > 0 and not self.holding
        if self.dwell_s > 0:
            self._dwell(dt_s)
        elif self.route:
            self._drive(dt_s)
        else:  # parked: no route (a following truck waits at its depot or its next pick-up)
            self.speed_kmh, self.ignition = 0.0, False
            if not self.roam and self._at_next_stop():
                self._serve_if_due()
        if self.reefer is not None:
            self.reefer.step(dt_s, door_open)

    def _dwell(self, dt_s: float) -> None:
        self.dwell_s -= dt_s
        self.speed_kmh = 0.0
        clock, hold = self.clock, self.hold_until
        if (
            self.dwell_s <= 0
            and clock is not None
            and hold is not None
            and clock + timedelta(seconds=dt_s) < hold
        ):
            self.dwell_s = dt_s / 2  # served, but the plan leaves later: wait here, doors shut
            self.holding = True
            return
        self.holding = False
        if self.dwell_s <= 0:
            self.ignition = True
            if self.roam:
                self.route = road_like_route(self.position, self.rng.choice(list(ANCHORS.values())))
            else:
                self._head_on()

    def _drive(self, dt_s: float) -> None:
        self.speed_kmh = max(5.0, min(70.0, self.rng.gauss(40.0, 10.0)))
        if self.highway_kmh is not None and self.leg_km > 30:
            self.speed_kmh = max(50.0, min(100.0, self.rng.gauss(self.highway_kmh, 8.0)))
        travel = self.speed_kmh / 3.6 * dt_s
        self.odometer_km += travel / 1000
        self.leg_km += travel / 1000
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
        if self.route:
            return
        if self.roam:  # arrived: load or unload, engine off for about half the stops
            self.dwell_s = self.rng.uniform(120, 900)
            self.ignition = self.rng.random() < 0.5
        elif self._at_next_stop():
            self._serve_if_due()

    def _at_next_stop(self) -> bool:
        return bool(self.stops) and haversine_m(self.position, self.stops[0].position) < 1

    def _serve_if_due(self) -> None:
        """Serve the next stop (doors open), unless it is a pick-up planned for later."""
        due = self.stops[0].arrive_at
        if (
            self.wall is not None
            and self.stops[0].key.endswith(":pickup")
            and due is not None
            and self.wall < due - PICKUP_EARLY
        ):
            return
        stop = self.stops.pop(0)
        self.served.add(stop.key)
        self.dwell_s, self.hold_until = stop.service_s, stop.leave_at
        if self.reefer is not None and stop.key.endswith(":pickup"):
            self.reefer.load()

    def fix(self, now: datetime) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "time": now.isoformat(),
            "latitude": round(self.position[0], 6),
            "longitude": round(self.position[1], 6),
            "speed_kmh": round(self.speed_kmh, 1),
            "heading": round(self.heading, 1),
            "ignition": self.ignition,
            "odometer_km": round(self.odometer_km, 2),
            "door_open": self.dwell_s > 0 and not self.holding,  # open while serving a stop
            "defrost": self.reefer.defrosting() if self.reefer else False,
            "temperatures": self.reefer.readings() if self.reefer else [],
        }


def make_fleet(
    count: int, seed: int = 7, home: tuple[float, float] | None = None, failing_truck: str | None = None
) -> list[Truck]:
    """Trucks roaming between anchors, or (with `home`) parked at that depot until routed;
    the reefer unit of vehicle `failing_truck` fails after its first pick-up."""
    rng = random.Random(seed)
    anchors = list(ANCHORS.values())
    fleet = []
    for i in range(count):
        body = sim_fleet.body_of(i)  # the body its registered vehicle has
        start = home or anchors[i % len(anchors)]
        jitter = 0.0003 if home else 0.01  # parked inside the depot's geofence
        unit_rng = random.Random(seed * 1000 + i + 500)
        fleet.append(
            Truck(
                device_id=sim_fleet.device_id(i),
                body=body,
                position=(start[0] + rng.uniform(-jitter, jitter), start[1] + rng.uniform(-jitter, jitter)),
                route=[] if home else road_like_route(start, rng.choice(anchors)),
                rng=random.Random(seed * 1000 + i),
                reefer=sim_thermal.unit_for(
                    sim_fleet.compartments(i), unit_rng, fails=sim_fleet.vehicle_id(i) == failing_truck
                ),
                roam=home is None,
                home=home,
            )
        )
    return fleet


def stops_of(route: RouteAssigned, service_cap_s: float) -> list[Stop]:
    """The route's stops in order; service as planned, but at least long enough for
    tracking to count a visit (geofence dwell) and at most `service_cap_s` (demo pace)."""
    return [
        Stop(
            position=(s.latitude, s.longitude),
            service_s=max(
                90.0, min((s.planned_departure - s.planned_arrival).total_seconds(), service_cap_s)
            ),
            key=f"{s.order_id}:{s.kind.value}",
            leave_at=s.planned_departure,
            arrive_at=s.planned_arrival,
        )
        for s in sorted(route.stops, key=lambda s: s.sequence)
    ]


async def follow_assignments(
    bootstrap: str, trucks: dict[str, Truck], service_cap_s: float, stop: asyncio.Event
) -> None:
    """Read dispatch.assignments.v1 as a downstream system would (from the beginning, no
    group: the topic is compacted, the latest route per vehicle is what counts)."""
    consumer = AIOKafkaConsumer(
        DISPATCH_ASSIGNMENTS.name,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    if record.value is None:
                        continue
                    try:
                        route = RouteAssigned.model_validate_json(record.value)
                    except ValueError:
                        continue
                    truck = trucks.get(route.vehicle_id)
                    if truck is not None:
                        truck.assign(route.revision, stops_of(route, service_cap_s))
    finally:
        await consumer.stop()


async def run(
    gateway: str,
    count: int,
    interval_s: float,
    ticks: int | None,
    api_key: str,
    orders: int = 0,
    *,
    kafka: str | None = None,
    service_cap_s: float = 90.0,
    failing_truck: str | None = None,
) -> None:
    """Post every truck's fix each interval. With `kafka`, trucks wait at the Icheon hub and
    drive the routes dispatch assigns them; without, they roam between anchors."""
    fleet = make_fleet(count, home=sim_orders.HUB_POSITION if kafka else None, failing_truck=failing_truck)
    headers = {"X-API-Key": api_key}
    stop = asyncio.Event()
    following = (
        asyncio.create_task(
            follow_assignments(
                kafka, {sim_fleet.vehicle_id(i): t for i, t in enumerate(fleet)}, service_cap_s, stop
            )
        )
        if kafka
        else None
    )
    async with httpx.AsyncClient(base_url=gateway, timeout=10, headers=headers) as client:
        # Seeding (and the first plan) runs beside the driving, which starts at once.
        seeding = asyncio.create_task(sim_seed.seed_operator(gateway, count, orders)) if orders else None
        tick = 0
        while ticks is None or tick < ticks:
            now = datetime.now(UTC)
            for truck in fleet:
                truck.wall = now
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
        stop.set()
        for task in (seeding, following):
            if task is not None:
                await task


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
    parser.add_argument(
        "--kafka",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="Follow dispatch.assignments.v1 from this broker (default: $KAFKA_BOOTSTRAP_SERVERS); "
        "without it trucks roam",
    )
    parser.add_argument(
        "--service-cap",
        type=float,
        default=90.0,
        help="Seconds spent at a stop at most (the demo's pace; planned service is 30 min)",
    )
    parser.add_argument(
        "--failing-truck",
        default="sim-truck-03",
        help="The vehicle whose reefer unit fails a few minutes after its first pick-up, long enough "
        "for an excursion to open ('none': no failure)",
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.gateway,
            args.trucks,
            args.interval,
            args.ticks,
            args.api_key,
            args.orders,
            kafka=args.kafka,
            service_cap_s=args.service_cap,
            failing_truck=None if args.failing_truck == "none" else args.failing_truck,
        )
    )


if __name__ == "__main__":
    main()
