"""The public planning model: frozen value types in natural units.

Times are timezone-aware datetimes, durations timedeltas, distances km, weights kg,
loads pallets. Integer scaling (seconds, metres) happens once, in `instance.py`.
Constructors validate and say what was expected, so a bad problem fails before any
solver sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property

from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning.compatibility import DEFAULT_MATRIX, CompatibilityMatrix
from coldchain_dispatch.planning.travel import HaversineTravel, TravelModel


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _aware(value: datetime, name: str) -> None:
    _require(value.tzinfo is not None, f"{name} must be timezone-aware, got naive {value!r}")


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        _require(-90.0 <= self.lat <= 90.0, f"latitude must be in [-90, 90], got {self.lat}")
        _require(-180.0 <= self.lon <= 180.0, f"longitude must be in [-180, 180], got {self.lon}")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Service may start at any instant in [start, end]; may cross midnight."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _aware(self.start, "TimeWindow.start")
        _aware(self.end, "TimeWindow.end")
        _require(
            self.start <= self.end, f"time window must start before it ends, got {self.start}..{self.end}"
        )


@dataclass(frozen=True, slots=True)
class Stop:
    """One end of an order: where, when service may start, how long it takes, site needs."""

    location: GeoPoint
    window: TimeWindow
    service: timedelta = timedelta(minutes=30)
    requires_forklift: bool = False

    def __post_init__(self) -> None:
        _require(self.service >= timedelta(0), f"service time must be >= 0, got {self.service}")


@dataclass(frozen=True, slots=True)
class Order:
    """A pick-up-and-delivery pair. Priority 1 is the most important, 10 the least."""

    order_id: str
    zone: TemperatureZone
    pallets: int
    weight_kg: float
    pickup: Stop
    delivery: Stop
    priority: int = 5

    def __post_init__(self) -> None:
        _require(bool(self.order_id), "order_id must not be empty")
        _require(self.pallets >= 1, f"order {self.order_id}: pallets must be >= 1, got {self.pallets}")
        _require(self.weight_kg >= 0, f"order {self.order_id}: weight_kg must be >= 0, got {self.weight_kg}")
        _require(
            1 <= self.priority <= 10, f"order {self.order_id}: priority must be 1..10, got {self.priority}"
        )

    @property
    def requires_forklift(self) -> bool:
        return self.pickup.requires_forklift or self.delivery.requires_forklift


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A truck as the planner sees it now.

    `compartments` are pallet capacities: one for single-compartment bodies, two for
    `dual` (frozen compartment first, chilled second). `start`/`available_from` are its
    live position and the moment it can leave it (its depot and shift start when idle).
    `onboard` lists orders already picked up: this vehicle must deliver them.
    `setpoint` pins a single-compartment reefer's setpoint (else the planner picks one).
    """

    vehicle_id: str
    body_type: BodyType
    compartments: tuple[int, ...]
    weight_capacity_kg: float
    depot: GeoPoint
    shift: TimeWindow
    max_route_duration: timedelta = timedelta(hours=10)
    has_forklift: bool = False
    start: GeoPoint | None = None
    available_from: datetime | None = None
    onboard: tuple[str, ...] = ()
    setpoint: TemperatureZone | None = None

    def __post_init__(self) -> None:
        expected = 2 if self.body_type is BodyType.DUAL else 1
        _require(
            len(self.compartments) == expected,
            f"vehicle {self.vehicle_id}: a {self.body_type} body has {expected} compartment(s), got {self.compartments}",
        )
        _require(all(c >= 0 for c in self.compartments), f"vehicle {self.vehicle_id}: pallets must be >= 0")
        _require(self.weight_capacity_kg >= 0, f"vehicle {self.vehicle_id}: weight capacity must be >= 0")
        _require(
            self.max_route_duration > timedelta(0),
            f"vehicle {self.vehicle_id}: max route duration must be > 0",
        )
        if self.available_from is not None:
            _aware(self.available_from, "Vehicle.available_from")

    @property
    def origin(self) -> GeoPoint:
        return self.start if self.start is not None else self.depot

    @property
    def ready_at(self) -> datetime:
        """When it can leave its origin: never before its shift starts."""
        if self.available_from is None:
            return self.shift.start
        return max(self.available_from, self.shift.start)

    @property
    def pallet_capacity(self) -> int:
        return sum(self.compartments)


@dataclass(frozen=True)
class Problem:
    """Everything a solver needs; `epoch` is the zero of the solvers' integer clock."""

    vehicles: tuple[Vehicle, ...]
    orders: tuple[Order, ...]
    travel: TravelModel = field(default_factory=HaversineTravel)
    compatibility: CompatibilityMatrix = DEFAULT_MATRIX

    def __post_init__(self) -> None:
        ids = [v.vehicle_id for v in self.vehicles]
        _require(len(ids) == len(set(ids)), "vehicle ids must be unique")
        order_ids = [o.order_id for o in self.orders]
        _require(len(order_ids) == len(set(order_ids)), "order ids must be unique")
        known = set(order_ids)
        carried: set[str] = set()
        for v in self.vehicles:
            for oid in v.onboard:
                _require(oid in known, f"vehicle {v.vehicle_id} has unknown order {oid} on board")
                _require(oid not in carried, f"order {oid} is on board two vehicles")
                carried.add(oid)

    @property
    def epoch(self) -> datetime:
        starts = [v.shift.start for v in self.vehicles] + [o.pickup.window.start for o in self.orders]
        # An empty problem (a re-plan with nothing left to move and no other vehicle) has no
        # times to measure; any origin will do.
        return min(starts, default=datetime.fromtimestamp(0, UTC))

    @cached_property
    def _orders_by_id(self) -> dict[str, Order]:
        return {o.order_id: o for o in self.orders}

    def order(self, order_id: str) -> Order:
        return self._orders_by_id[order_id]

    def vehicles_by_id(self) -> dict[str, Vehicle]:
        return {v.vehicle_id: v for v in self.vehicles}


class StopKind(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A stop in a route; `load_after` is pallets per compartment once service is done."""

    order_id: str
    kind: StopKind
    location: GeoPoint
    arrival: datetime
    service_start: datetime
    departure: datetime
    load_after: tuple[int, ...]
    weight_after_kg: float
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """A vehicle's day: leave `origin` at `departure`, serve `stops`, reach the depot at `arrival`.

    `setpoints` holds the zone each compartment is held at for the whole route.
    `leg_km[i]` is the road distance into stop i; the last entry is the leg back to the depot.
    """

    vehicle_id: str
    setpoints: tuple[TemperatureZone, ...]
    departure: datetime
    arrival: datetime
    stops: tuple[PlannedStop, ...]
    leg_km: tuple[float, ...]

    @property
    def distance_km(self) -> float:
        return sum(self.leg_km)


class DropReason(StrEnum):
    NO_COMPATIBLE_VEHICLE = "no_compatible_vehicle"  # zone or forklift: no body/driver fits
    SETPOINT_IN_USE = "setpoint_in_use"  # its reefers run at the other setpoint in this plan
    EXCEEDS_VEHICLE_CAPACITY = "exceeds_vehicle_capacity"  # bigger than every compatible truck
    TIME_WINDOW_UNREACHABLE = "time_window_unreachable"  # even an idle compatible truck cannot make it
    FLEET_FULLY_COMMITTED = "fleet_fully_committed"  # feasible alone, no room left in the plan
    ONBOARD_TRANSFER_IMPOSSIBLE = "onboard_transfer_impossible"  # loaded on a failed truck, no rescue


@dataclass(frozen=True, slots=True)
class DroppedOrder:
    order_id: str
    reason: DropReason
    detail: str


@dataclass(frozen=True, slots=True)
class SolverStats:
    method: str
    seed: int
    time_limit_s: float
    wall_s: float
    first_solution_s: float | None
    objective: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    routes: tuple[Route, ...]
    dropped: tuple[DroppedOrder, ...]
    stats: SolverStats

    def route(self, vehicle_id: str) -> Route:
        for r in self.routes:
            if r.vehicle_id == vehicle_id:
                return r
        raise KeyError(vehicle_id)

    @property
    def served_order_ids(self) -> frozenset[str]:
        return frozenset(s.order_id for r in self.routes for s in r.stops if s.kind is StopKind.DELIVERY)
