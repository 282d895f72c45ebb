"""`POST /v1/telemetry/gps`: a validated batch becomes raw fixes on Kafka.

The whole batch is validated before anything is sent, so a rejected batch publishes
nothing, including a batch with any fix for a device the credential is not bound to or
any fix larger than `max_fix_bytes` as published. 202 is returned only after Kafka acknowledged every fix (`acks=all`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from aiokafka.errors import KafkaError
from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from coldchain_contracts import RawFix, RawFixReceived, SpeedUnit, utcnow
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.schemas import GpsBatchAccepted, GpsBatchIn, GpsFixIn
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal
from coldchain_gateway.settings import GatewaySettings
from coldchain_servicekit.kafka import Outgoing, publish_all
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import ProblemError
from coldchain_servicekit.tracecontext import child_of

router = APIRouter(prefix="/v1/telemetry", tags=["telemetry"])
log = get_logger(__name__)
FIXES_PUBLISHED = Counter("gateway_fixes_published_total", "Fixes acknowledged by Kafka")


def to_raw(fix: GpsFixIn, batch_id: uuid.UUID) -> RawFixReceived:
    return RawFixReceived(
        device_id=fix.device_id,
        source="http-batch",
        received_at=utcnow(),
        producer="gateway",
        correlation_id=batch_id,
        fix=RawFix(
            device_time=fix.time,
            latitude=fix.latitude,
            longitude=fix.longitude,
            speed=fix.speed_kmh,
            speed_unit=SpeedUnit.KMH,
            heading=fix.heading,
            altitude_m=fix.altitude_m,
            accuracy_m=fix.accuracy_m,
            ignition=fix.ignition,
            odometer_km=fix.odometer_km,
            battery_v=fix.battery_v,
            door_open=fix.door_open,
            defrost=fix.defrost,
            temperatures=tuple(t.to_contract() for t in fix.temperatures),
            attributes=fix.attributes,
        ),
    )


def refuse_oversized(outgoing: list[Outgoing], max_bytes: int) -> None:
    """Every fix is measured as it would be published, before the first is sent: Kafka refuses
    an oversized record only after the records before it were stored, so a batch would be
    half published and its retry could never succeed."""
    errors = [
        {
            "loc": ("body", "fixes", index),
            "msg": f"fix is {size} bytes as published; the limit is {max_bytes}",
            "type": "too_large",
        }
        for index, size in enumerate(len(o.value or b"") + len(o.key) for o in outgoing)
        if size > max_bytes
    ]
    if errors:
        raise RequestValidationError(errors)


@router.post(
    "/gps",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Post a batch of 1 to 1,000 GPS fixes",
    description="Needs `telemetry:ingest`: a device token (`X-API-Key: ccd_…`) posts only for its own "
    "devices (403 otherwise, nothing published); an integration key for its listed devices, or any.",
    responses=problem_responses(*PROTECTED),
)
async def post_gps(
    batch: GpsBatchIn,
    request: Request,
    principal: Annotated[Principal, require(Permission.TELEMETRY_INGEST, RateClass.INGEST)],
    traceparent: Annotated[str | None, Header(description="W3C trace context to continue")] = None,
) -> GpsBatchAccepted:
    foreign = sorted({f.device_id for f in batch.fixes if not principal.may_post_for(f.device_id)})
    if foreign:
        log.warning("telemetry for foreign devices refused", principal=principal.id, devices=foreign[:10])
        raise ProblemError(
            403,
            "Forbidden",
            f"This credential may not post fixes for device {foreign[0]!r}; nothing was published",
            devices=foreign[:100],
        )
    broker: KafkaBroker = request.app.state.broker
    settings: GatewaySettings = request.app.state.settings
    batch_id = uuid.uuid4()
    request_trace = child_of(traceparent)  # one trace per request, continuing the caller's
    messages = [to_raw(f, batch_id) for f in batch.fixes]
    outgoing = [Outgoing.event(TELEMETRY_RAW.name, m.device_id, m, request_trace) for m in messages]
    refuse_oversized(outgoing, settings.max_fix_bytes)
    try:
        await asyncio.wait_for(publish_all(broker, outgoing), settings.publish_timeout_s)
    except (KafkaError, TimeoutError, OSError) as exc:  # Kafka unreachable or not acknowledging
        log.error("publish failed", error=repr(exc)[:300], batch_id=str(batch_id))
        raise HTTPException(
            503, "Telemetry could not be stored; retry", headers={"Retry-After": "5"}
        ) from exc
    FIXES_PUBLISHED.inc(len(messages))
    return GpsBatchAccepted(accepted=len(messages), batch_id=str(batch_id))
