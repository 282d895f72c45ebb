"""The topic registry: every topic, its key, value types, partitions, cleanup policy.

Services never write topic string literals; they take them from here. Dead-letter
topics are per (topic, consuming service) so two consumers of one topic never mix
their failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from coldchain_contracts.devices import DeviceRegistered
from coldchain_contracts.dispatch import ReportBreakdown, RequestPlan, RouteAssigned
from coldchain_contracts.fleet import VehicleRegistered
from coldchain_contracts.orders import ORDER_COMMAND_TYPES, ORDER_EVENT_TYPES
from coldchain_contracts.sites import SiteUpserted
from coldchain_contracts.telemetry import FixAccepted, FixRejected, RawFixReceived
from coldchain_contracts.tracking import VehicleStateChanged
from coldchain_contracts.tracking_events import TRACKING_EVENT_TYPES

CleanupPolicy = Literal["delete", "compact"]


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    value_types: tuple[type[BaseModel], ...]
    partitions: int
    cleanup_policy: CleanupPolicy
    producer: str
    consumers: tuple[str, ...] = ()
    retention_ms: int | None = None
    description: str = ""

    def config(self) -> dict[str, str]:
        """Topic-level Kafka configs to create it with."""
        cfg: dict[str, str] = {"cleanup.policy": self.cleanup_policy}
        if self.retention_ms is not None:
            cfg["retention.ms"] = str(self.retention_ms)
        return cfg


def dlq_topic(topic: str, consumer: str) -> str:
    return f"{topic}.{consumer}.dlq"


_WEEK_MS = 7 * 24 * 3600 * 1000

TELEMETRY_RAW = Topic(
    name="telemetry.gps.raw.v1",
    key="device_id",
    value_types=(RawFixReceived,),
    partitions=6,
    cleanup_policy="delete",
    producer="gateway",
    consumers=("ingest",),
    retention_ms=_WEEK_MS,
    description="Fixes exactly as received: HTTP batches (gateway) and device protocols (ingest).",
)
TELEMETRY_GPS = Topic(
    name="telemetry.gps.v1",
    key="vehicle_id",
    value_types=(FixAccepted,),
    partitions=6,
    cleanup_policy="delete",
    producer="ingest",
    consumers=("tracking",),
    retention_ms=_WEEK_MS,
    description="Clean, normalised fixes bound to a vehicle.",
)
TELEMETRY_REJECTED = Topic(
    name="telemetry.rejected.v1",
    key="device_id",
    value_types=(FixRejected,),
    partitions=3,
    cleanup_policy="delete",
    producer="ingest",
    retention_ms=_WEEK_MS,
    description="Fixes dropped by ingest, with the reason.",
)
FLEET_VEHICLES = Topic(
    name="fleet.vehicles.v1",
    key="vehicle_id",
    value_types=(VehicleRegistered,),
    partitions=3,
    cleanup_policy="compact",
    producer="orders",
    consumers=("ingest", "tracking", "dispatch"),
    description="Vehicle reference data and device bindings, latest per vehicle.",
)
FLEET_DEVICES = Topic(
    name="fleet.devices.v1",
    key="device_id",
    value_types=(DeviceRegistered,),
    partitions=3,
    cleanup_policy="compact",
    producer="gateway",
    consumers=("ingest",),
    description="Device registry: vehicle binding and protocol options, latest per device.",
)
VEHICLE_STATE = Topic(
    name="tracking.vehicle-state.v1",
    key="vehicle_id",
    value_types=(VehicleStateChanged,),
    partitions=6,
    cleanup_policy="compact",
    producer="tracking",
    consumers=("dispatch",),
    description="Latest live state per vehicle.",
)
TRACKING_EVENTS = Topic(
    name="tracking.events.v1",
    key="vehicle_id",
    value_types=TRACKING_EVENT_TYPES,
    partitions=6,
    cleanup_policy="delete",
    producer="tracking",
    consumers=("orders", "tracking", "dispatch", "notify"),
    retention_ms=4 * _WEEK_MS,
    description="Trips, stops, geofence enter/exit, temperature excursions and alerts.",
)
FLEET_SITES = Topic(
    name="fleet.sites.v1",
    key="site_id",
    value_types=(SiteUpserted,),
    partitions=3,
    cleanup_policy="compact",
    producer="orders",
    consumers=("tracking", "dispatch"),
    description="Customers' pick-up and drop-off sites, latest per site.",
)
DISPATCH_ASSIGNMENTS = Topic(
    name="dispatch.assignments.v1",
    key="vehicle_id",
    value_types=(RouteAssigned,),
    partitions=6,
    cleanup_policy="compact",
    producer="dispatch",
    consumers=("orders", "tracking"),
    description="Each vehicle's current planned route (latest wins).",
)
DISPATCH_COMMANDS = Topic(
    name="dispatch.commands.v1",
    key="event_id",
    value_types=(RequestPlan, ReportBreakdown),
    partitions=3,
    cleanup_policy="delete",
    producer="gateway",
    consumers=("dispatch",),
    retention_ms=_WEEK_MS,
    description="Requests to plan a horizon and reports that force a re-plan.",
)
ORDERS_COMMANDS = Topic(
    name="orders.commands.v1",
    key="order_id",
    value_types=ORDER_COMMAND_TYPES,
    partitions=6,
    cleanup_policy="delete",
    producer="gateway",
    consumers=("orders",),
    retention_ms=_WEEK_MS,
    description="Place, amend, cancel, fail, mark planned: requests the orders service decides on.",
)
ORDERS_EVENTS = Topic(
    name="orders.events.v1",
    key="order_id",
    value_types=ORDER_EVENT_TYPES,
    partitions=6,
    cleanup_policy="delete",
    producer="orders",
    consumers=("dispatch", "tracking"),
    retention_ms=4 * _WEEK_MS,
    description="Every transition of an order's lifecycle, relayed from the orders outbox.",
)

REGISTRY: tuple[Topic, ...] = (
    TELEMETRY_RAW,
    TELEMETRY_GPS,
    TELEMETRY_REJECTED,
    FLEET_VEHICLES,
    VEHICLE_STATE,
    TRACKING_EVENTS,
    FLEET_SITES,
    DISPATCH_ASSIGNMENTS,
    DISPATCH_COMMANDS,
    FLEET_DEVICES,
    ORDERS_COMMANDS,
    ORDERS_EVENTS,
)


def all_topic_names() -> list[str]:
    """Every topic to create, dead-letter topics included."""
    names = [t.name for t in REGISTRY]
    names += [dlq_topic(t.name, c) for t in REGISTRY for c in t.consumers]
    return names
