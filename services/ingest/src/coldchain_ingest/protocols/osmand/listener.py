"""The ASGI app that answers OsmAnd devices on their own port.

Any path and any HTTP method. 200 (empty body, as Traccar answers) only once Kafka
acknowledged the raw fix (`acks=all`), so a device that got 200 may forget the fix;
400 with a problem document for a request that can never succeed (unknown device,
missing id or position, unreadable value): the device should not retry it; 429 with
`Retry-After` when its address or the device is over its rate, 408 when the body did not
arrive in time, 503 when Kafka did not acknowledge in time: the device keeps the fix
and retries.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiokafka.errors import KafkaError
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from coldchain_contracts import RawFixReceived, utcnow
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_ingest.protocols.limits import Rate, TokenBuckets
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


@dataclass
class RequestLimits:
    """Per-address and per-device request rates (token buckets) and the body's deadline."""

    per_address: Rate = field(default_factory=lambda: Rate(0.0, 1))
    per_device: Rate = field(default_factory=lambda: Rate(0.0, 1))
    body_timeout_s: float = 10.0
    monotonic: Callable[[], float] = time.monotonic
    addresses: TokenBuckets = field(init=False)
    devices: TokenBuckets = field(init=False)

    def __post_init__(self) -> None:
        self.addresses = TokenBuckets(self.per_address)
        self.devices = TokenBuckets(self.per_device)


def _too_fast(wait_s: float, detail: str, instance: str) -> Response:
    response = problem(429, "Too many requests; retry later", detail, instance=instance)
    response.headers["Retry-After"] = str(max(1, math.ceil(wait_s)))
    return response


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
        limits: RequestLimits | None = None,
    ) -> None:
        self._publish = publish
        self._devices = devices
        self._timeout_s = publish_timeout_s
        self._limits = limits or RequestLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # websockets and lifespan are not part of the protocol
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        received_at = utcnow()
        limits, path = self._limits, request.url.path
        address = request.client.host if request.client else ""
        if (wait := limits.addresses.wait_s(address, limits.monotonic())) > 0:
            REQUESTS.labels("rate_limited").inc()
            return _too_fast(wait, "too many requests from this address", path)
        try:
            async with asyncio.timeout(limits.body_timeout_s):
                body = await _read_body(request)
            report = decode(request.url.query, request.headers.get("content-type"), body)
            if not self._devices.is_known(report.device_id):
                raise OsmAndError("Unknown device", f"device {report.device_id!r} is not registered")
            fix = to_raw_fix(report, self._devices.speed_unit(report.device_id), received_at)
        except BodyTooLarge:
            REQUESTS.labels("too_large").inc()
            return problem(413, "Request too large", f"the body exceeds {MAX_BODY_BYTES} bytes")
        except TimeoutError:
            REQUESTS.labels("timeout").inc()
            response = problem(408, "Request timeout", f"the body took over {limits.body_timeout_s} s")
            response.headers["Connection"] = "close"
            return response
        except OsmAndError as exc:
            REQUESTS.labels("unknown_device" if exc.title == "Unknown device" else "bad_request").inc()
            log.info("osmand request refused", title=exc.title, detail=exc.detail[:300])
            return problem(exc.status, exc.title, exc.detail, instance=path)
        # Only known devices get a bucket: unknown ids cannot grow the limiter.
        if (wait := limits.devices.wait_s(report.device_id, limits.monotonic())) > 0:
            REQUESTS.labels("rate_limited").inc()
            return _too_fast(wait, f"device {report.device_id!r} reports too often", path)
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
            response = problem(503, "Fix could not be stored; retry", instance=path)
            response.headers["Retry-After"] = "5"
            return response
        REQUESTS.labels("accepted").inc()
        return Response(status_code=200)
