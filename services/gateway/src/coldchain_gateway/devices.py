"""Device registry admin API: `PUT /v1/devices/{id}` writes, `GET` reads through ingest.

A PUT publishes the device's full record (`DeviceRegistered`) on the compacted
`fleet.devices.v1` and answers 202 once Kafka acknowledged it (`acks=all`); ingest,
which owns the registry, applies it within moments (eventual consistency: a GET
right after a PUT may still show the previous record). Reads are forwarded to
ingest's query API (`GATEWAY_INGEST_URL`); its problem details pass through.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from aiokafka.errors import KafkaError
from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ConfigDict, Field

from coldchain_contracts import DeviceOptions, DeviceRegistered
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_contracts.topics import FLEET_DEVICES
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.upstream import forward
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.logging import get_logger

router = APIRouter(
    prefix="/v1/devices", tags=["devices"], responses=problem_responses(*PROTECTED, 404, 502, 503)
)
log = get_logger(__name__)
DeviceId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class DeviceIn(BaseModel):
    """The device's whole record; a PUT replaces the previous one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "vehicle_id": "truck-7",
                    "protocol": "teltonika",
                    "options": {"teltonika_io": {"door": 3}},
                }
            ]
        },
    )

    vehicle_id: str | None = Field(
        default=None, min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN, description="None: unbound"
    )
    protocol: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$", examples=["teltonika"])
    options: DeviceOptions = Field(default_factory=DeviceOptions)
    active: bool = True


class DeviceAccepted(BaseModel):
    device_id: str
    event_id: str = Field(description="Id of the DeviceRegistered record on fleet.devices.v1")


@router.put(
    "/{device_id}",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Permission.DEVICES_WRITE, RateClass.WRITE)],
    summary="Register or update a device (binding and protocol options)",
    responses={422: {"description": "Invalid record"}, 503: {"description": "Kafka unavailable; retry"}},
)
async def put_device(device_id: DeviceId, body: DeviceIn, request: Request) -> DeviceAccepted:
    broker: KafkaBroker = request.app.state.broker
    settings: GatewaySettings = request.app.state.settings
    record = DeviceRegistered(
        device_id=device_id,
        vehicle_id=body.vehicle_id,
        protocol=body.protocol,
        options=body.options,
        active=body.active,
        producer="gateway",
    )
    message = Outgoing.event(FLEET_DEVICES.name, device_id, record, None)
    try:
        await asyncio.wait_for(publish_all(broker, [message]), settings.publish_timeout_s)
    except (KafkaError, TimeoutError, OSError) as exc:
        log.error("device publish failed", error=repr(exc)[:300], device_id=device_id)
        raise HTTPException(503, "Device could not be stored; retry", headers={"Retry-After": "5"}) from exc
    return DeviceAccepted(device_id=device_id, event_id=str(record.event_id))


async def _forward(request: Request, path: str) -> Response:
    return await forward(request.app.state.ingest, "ingest", "GET", path)


@router.get(
    "", summary="Every registered device", dependencies=[require(Permission.DEVICES_READ, RateClass.READ)]
)
async def list_devices(request: Request) -> Response:
    return await _forward(request, "/v1/devices")


@router.get(
    "/{device_id}",
    summary="One registered device",
    dependencies=[require(Permission.DEVICES_READ, RateClass.READ)],
)
async def get_device(device_id: DeviceId, request: Request) -> Response:
    return await _forward(request, f"/v1/devices/{device_id}")
