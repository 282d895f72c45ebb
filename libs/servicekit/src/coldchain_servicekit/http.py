"""The FastAPI application shell every service shares: problem details, request ids,
health and metrics routes, request metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import FastAPI
from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coldchain_servicekit.health import ReadinessCheck, health_router
from coldchain_servicekit.internal_auth import InternalAuth
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.problems import install_problem_handlers, unhandled_problem

REQUEST_SECONDS = Histogram(
    "coldchain_http_request_seconds", "HTTP request duration", ["method", "route", "status"]
)

log = get_logger(__name__)
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
# A caller's request id goes into every log line: only a short, plain token is taken over.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_of(header: str | None) -> str:
    """The caller's `X-Request-Id` when it is a plain token, else a new one."""
    return header if header and _REQUEST_ID.match(header) else str(uuid.uuid4())


class RequestContext:
    """Request id (the caller's `X-Request-Id` or a new one) bound into logs and echoed on the
    response; request duration per route and status. Pure ASGI: `BaseHTTPMiddleware` costs a
    task and a stream per request, the largest share of a cached read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id_of(header.decode("latin-1") if header else None)
        echoed = (b"x-request-id", request_id.encode())
        status = 500
        status_started = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, status_started
            if message["type"] == "http.response.start":
                status = message["status"]
                status_started = True
                message = {**message, "headers": [*message.get("headers", []), echoed]}
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, not re-raised: Starlette's ServerErrorMiddleware re-raises after
            # its 500, and uvicorn then closes the keep-alive connection, late (after logging),
            # so a caller's next pooled request on it died unanswered (the gateway's 503).
            if status_started:
                raise  # a half-sent response cannot be repaired; uvicorn closes the connection
            log.exception("unhandled error", path=scope.get("path"))
            status = 500
            await unhandled_problem(scope["path"])(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            route = scope.get("route")
            REQUEST_SECONDS.labels(scope["method"], getattr(route, "path", "unmatched"), str(status)).observe(
                time.perf_counter() - started
            )


def service_app(
    *,
    title: str,
    lifespan: Lifespan,
    checks: Mapping[str, ReadinessCheck],
    readiness_timeout_s: float,
    internal_token: str | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    """`internal_token`: every route but the open ones needs it (`internal_auth`)."""
    app = FastAPI(title=title, lifespan=lifespan, **fastapi_kwargs)
    install_problem_handlers(app)
    app.include_router(health_router(checks, readiness_timeout_s))
    if internal_token is not None:
        app.add_middleware(InternalAuth, token=internal_token)  # inside RequestContext: 401s are logged
    app.add_middleware(RequestContext)
    return app
