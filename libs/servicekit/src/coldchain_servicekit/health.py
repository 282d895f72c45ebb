"""`/healthz` (the process is alive), `/readyz` (dependencies reachable), `/metrics`.

Readiness runs every registered check concurrently with a timeout, and answers 503
naming each failed dependency, so a load balancer stops routing to a replica whose
database is gone while the liveness probe leaves it running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises (or times out) when the dependency is not usable."""

# Set by every /readyz call (the orchestrator's health checks call it every few seconds), so
# Prometheus sees a replica that answers /metrics but is not ready (the ServiceNotReady alert).
READY = Gauge("coldchain_ready", "1 when the last /readyz found every dependency reachable")
DEPENDENCY_UP = Gauge("coldchain_dependency_up", "1 when the last /readyz reached it", ["dependency"])


async def _run_check(check: ReadinessCheck, timeout_s: float) -> str | None:
    try:
        await asyncio.wait_for(check(), timeout_s)
    except TimeoutError:
        return "timeout"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; report it
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def health_router(checks: Mapping[str, ReadinessCheck], timeout_s: float) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: every dependency reachable")
    async def readyz() -> JSONResponse:
        names = list(checks)
        results = await asyncio.gather(*(_run_check(checks[n], timeout_s) for n in names))
        report = {n: (r or "ok") for n, r in zip(names, results, strict=True)}
        ready = all(r is None for r in results)
        READY.set(1 if ready else 0)
        for name, result in zip(names, results, strict=True):
            DEPENDENCY_UP.labels(dependency=name).set(1 if result is None else 0)
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": report},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
