"""The FastAPI application shell every service shares: problem details, request ids,
health and metrics routes, request metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import Histogram

from coldchain_servicekit.health import ReadinessCheck, health_router
from coldchain_servicekit.problems import install_problem_handlers

REQUEST_SECONDS = Histogram(
    "coldchain_http_request_seconds", "HTTP request duration", ["method", "route", "status"]
)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
# A caller's request id goes into every log line: only a short, plain token is taken over.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_of(header: str | None) -> str:
    """The caller's `X-Request-Id` when it is a plain token, else a new one."""
    return header if header and _REQUEST_ID.match(header) else str(uuid.uuid4())


def service_app(
    *,
    title: str,
    lifespan: Lifespan,
    checks: Mapping[str, ReadinessCheck],
    readiness_timeout_s: float,
    **fastapi_kwargs: Any,
) -> FastAPI:
    app = FastAPI(title=title, lifespan=lifespan, **fastapi_kwargs)
    install_problem_handlers(app)
    app.include_router(health_router(checks, readiness_timeout_s))

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request_id_of(request.headers.get("x-request-id"))
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        route = request.scope.get("route")
        REQUEST_SECONDS.labels(
            request.method, getattr(route, "path", "unmatched"), str(response.status_code)
        ).observe(time.perf_counter() - started)
        response.headers["x-request-id"] = request_id
        return response

    return app
