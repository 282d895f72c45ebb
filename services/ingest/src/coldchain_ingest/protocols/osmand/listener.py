"""The ASGI app that answers OsmAnd devices on their own port.

Any path and any HTTP method. 200 (empty body, as Traccar answers) only once Kafka
acknowledged the raw fix (`acks=all`), so a device that got 200 may forget the fix;
400 with a problem document for a request that can never succeed (unknown device,
missing id or position, unreadable value): the device should not retry it; 503 when
Kafka did not acknowledge in time: the device keeps the fix and retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from aiokafka.errors import KafkaError
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from coldchain_contracts import RawFixReceived, utcnow
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_ingest.protocols.osmand.decoder import decode
from coldchain_ingest.protocols.osmand.devices import DeviceOptions
from coldchain_ingest.protocols.osmand.mapping import to_raw_fix
from coldchain_ingest.protocols.osmand.values import OsmAndError
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import problem

log = get_logger(__name__)
REQUESTS = Counter("ingest_osmand_requests_total", "OsmAnd requests by outcome", ["outcome"])
PUBLISH_SECONDS = Histogram(
    "ingest_osmand_publish_seconds", "Time from an OsmAnd request to Kafka's acknowledgement"
)
SOURCE = "osmand"
MAX_BODY_BYTES = 64 * 1024

Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class OsmAndListener:
    def __init__(
        self,
        publish: Publish,
        devices: DeviceOptions,
        *,
        publish_timeout_s: float,
    ) -> None:
        self._publish = publish
        self._devices = devices
        self._timeout_s = publish_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # websockets and lifespan are not part of the protocol
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        received_at = utcnow()
        try:
            body = await _read_body(request)
            report = decode(request.url.query, request.headers.get("content-type"), body)
            if not self._devices.is_known(report.device_id):
                raise OsmAndError("Unknown device", f"device {report.device_id!r} is not registered")
            fix = to_raw_fix(report, self._devices.speed_unit(report.device_id), received_at)
        except BodyTooLarge:
            REQUESTS.labels("too_large").inc()
            return problem(413, "Request too large", f"the body exceeds {MAX_BODY_BYTES} bytes")
        except OsmAndError as exc:
            REQUESTS.labels("unknown_device" if exc.title == "Unknown device" else "bad_request").inc()
            log.info("osmand request refused", title=exc.title, detail=exc.detail[:300])
            return problem(exc.status, exc.title, exc.detail, instance=request.url.path)
        message = RawFixReceived(
            device_id=report.device_id, source=SOURCE, received_at=received_at, producer="ingest", fix=fix
        )
        outgoing = Outgoing.event(
            TELEMETRY_RAW.name, message.device_id, message, request.headers.get(tracecontext.HEADER)
        )
        try:
            with PUBLISH_SECONDS.time():
                await asyncio.wait_for(self._publish([outgoing]), self._timeout_s)
        except (KafkaError, TimeoutError, OSError) as exc:
            REQUESTS.labels("unavailable").inc()
            log.error("osmand publish failed", error=repr(exc)[:300], device_id=report.device_id)
            response = problem(503, "Fix could not be stored; retry", instance=request.url.path)
            response.headers["Retry-After"] = "5"
            return response
        REQUESTS.labels("accepted").inc()
        return Response(status_code=200)
