"""The topic registry: every topic, its key, value types, partitions, cleanup policy.

Services never write topic string literals; they take them from here. Dead-letter
topics are per (topic, consuming service) so two consumers of one topic never mix
their failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from coldchain_contracts.fleet import VehicleRegistered
from coldchain_contracts.telemetry import FixAccepted, FixRejected, RawFixReceived
from coldchain_contracts.tracking import VehicleStateChanged

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
    description="Fixes exactly as received from devices and integrations.",
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
    producer="tracking",
    consumers=("ingest",),
    description="Vehicle reference data and device bindings, latest per vehicle.",
)
VEHICLE_STATE = Topic(
    name="tracking.vehicle-state.v1",
    key="vehicle_id",
    value_types=(VehicleStateChanged,),
    partitions=6,
    cleanup_policy="compact",
    producer="tracking",
    description="Latest live state per vehicle.",
)

REGISTRY: tuple[Topic, ...] = (
    TELEMETRY_RAW,
    TELEMETRY_GPS,
    TELEMETRY_REJECTED,
    FLEET_VEHICLES,
    VEHICLE_STATE,
)


def all_topic_names() -> list[str]:
    """Every topic to create, dead-letter topics included."""
    names = [t.name for t in REGISTRY]
    names += [dlq_topic(t.name, c) for t in REGISTRY for c in t.consumers]
    return names
