"""Composition root of the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware

from coldchain_gateway import (
    admin_routes,
    auth_routes,
    console,
    devices,
    dispatch,
    fleet_vehicles,
    notifications,
    orders,
    reports,
    sites,
    telemetry,
    vehicles,
)
from coldchain_gateway.db import SCHEMA
from coldchain_gateway.live import feed
from coldchain_gateway.live import states as live_states
from coldchain_gateway.live.auth import live_admission, live_authenticator
from coldchain_gateway.live.endpoint import LiveLimits, live_router
from coldchain_gateway.live.hub import LiveHub
from coldchain_gateway.live.states import LiveStates
from coldchain_gateway.security.bootstrap import (
    check_configuration,
    ensure_dev_ingest_key,
    ensure_first_admin,
)
from coldchain_gateway.security.middleware import (
    BodySizeLimit,
    MetricsToken,
    ProblemCORSMiddleware,
    SecurityHeaders,
)
from coldchain_gateway.security.principal import Sessions, TokenAuthenticator
from coldchain_gateway.security.ratelimit import Limiter, RedisLimiter
from coldchain_gateway.security.synced_limiter import SyncedLimiter
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.upstream import KEEPALIVE_EXPIRY_S
from coldchain_servicekit.internal_auth import internal_headers
from coldchain_servicekit.periodic import Periodic
from coldchain_servicekit.runtime import Hook, Runtime, Schema, runtime_app
from coldchain_servicekit.transport_security import kafka_client_options

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")
PUBLIC_ROUTES = frozenset({"/healthz", "/readyz", "/metrics", "/v1/auth/token", "/v1/console/config"})
"""Routes without authentication; every other route must declare a permission (tested)."""
DOCS_ROUTES = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/asyncapi.json"})
"""Public while `GATEWAY_PUBLIC_DOCS` (the default); absent otherwise."""


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    check_configuration(settings)  # fail fast, before anything connects
    runtime = Runtime.build(settings, with_redis=True)
    assert runtime.redis is not None
    # Every upstream call carries the service credential (servicekit internal_auth).
    credential = internal_headers(settings.internal_token)

    def upstream(base_url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=base_url,
            timeout=settings.upstream_timeout_s,
            headers=credential,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S),
        )

    tracking = upstream(settings.tracking_url)
    ingest = upstream(settings.ingest_url)
    orders_api = upstream(settings.orders_url)
    dispatch_api = upstream(settings.dispatch_url)
    notify_api = upstream(settings.notify_url)

    states = LiveStates()

    async def expect_states() -> None:
        states.expect(
            await live_states.end_offsets(settings.kafka_bootstrap_servers, **kafka_client_options(settings))
        )

    async def bootstrap_security() -> None:
        await ensure_first_admin(runtime.engine, settings)
        await ensure_dev_ingest_key(runtime.engine, settings)

    exact_limiter = RedisLimiter(runtime.redis, settings.redis_key_prefix)
    route_limiter: Limiter = exact_limiter
    start_syncing: list[Hook] = []
    stop_syncing: list[Hook] = []
    if settings.rate_sync_s > 0:
        synced = SyncedLimiter(runtime.redis, settings.redis_key_prefix)
        syncing = Periodic("rate-limit-sync", synced.sync, settings.rate_sync_s)
        route_limiter = synced
        start_syncing = [syncing.start]
        stop_syncing = [syncing.stop, synced.sync]  # the last hits are debited before leaving

    docs: dict[str, Any] = (
        {} if settings.public_docs else {"openapi_url": None, "docs_url": None, "redoc_url": None}
    )
    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain API",
        on_start=[bootstrap_security, expect_states, *start_syncing],
        asyncapi=settings.public_docs,
        internal_api=False,  # the public API: its own credentials (security/)
        on_stop=[
            *stop_syncing,
            tracking.aclose,
            ingest.aclose,
            orders_api.aclose,
            dispatch_api.aclose,
            notify_api.aclose,
        ],
        description="Public REST API of the Coldchain fleet platform. Log in with `POST /v1/auth/token` "
        "(OAuth2 password grant) and send `Authorization: Bearer <access_token>`; devices and "
        "integrations send `X-API-Key`. See docs/gateway-security.md.\n\n"
        "Event streams: every service describes its Kafka channels in an AsyncAPI document at "
        "`/asyncapi.json` ([the gateway's](/asyncapi.json); ingest, tracking, orders, dispatch and notify "
        "on their own ports, 8001-8005 locally); the live feed is `GET /v1/live` (WebSocket).",
        version="0.1.0",
        **docs,
    )
    sessions = Sessions(
        runtime.redis, settings.redis_key_prefix, settings.access_token_ttl_s, settings.session_check_cache_s
    )
    app.state.tracking = tracking
    app.state.ingest = ingest
    app.state.orders = orders_api
    app.state.dispatch = dispatch_api
    app.state.notify = notify_api
    app.state.engine = runtime.engine
    app.state.sessions = sessions
    authenticator = TokenAuthenticator(
        runtime.engine,
        sessions,
        settings.jwt_key(),
        settings.credential_cache_s,
        max_access_ttl_s=settings.access_token_ttl_s,
    )
    app.state.authenticator = authenticator
    app.state.limiter = exact_limiter
    app.state.route_limiter = route_limiter
    app.include_router(auth_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(telemetry.router)
    app.include_router(vehicles.router)
    app.include_router(devices.router)
    app.include_router(orders.router)
    app.include_router(reports.router)
    app.include_router(sites.router)
    app.include_router(fleet_vehicles.router)
    app.include_router(dispatch.router)
    app.include_router(notifications.router)
    app.include_router(console.router)
    hub = LiveHub()
    feed.register(runtime.broker, hub, settings.consumer_poll_timeout_ms)
    app.state.live_states = states
    live_states.register(runtime.broker, states, settings.consumer_poll_timeout_ms)

    app.state.live_hub = hub
    sessions.on_revoke.append(hub.recheck_all)
    authenticator.on_forget.append(hub.recheck_all)
    limits = LiveLimits(
        auth_timeout_s=settings.live_auth_timeout_s,
        queue_max=settings.live_queue_max,
        send_timeout_s=settings.live_send_timeout_s,
        recheck_s=settings.live_recheck_s,
        max_per_principal=settings.live_max_connections_per_principal,
    )
    authenticate = live_authenticator(authenticator, settings.jwt_key())
    app.include_router(live_router(hub, authenticate, limits, live_admission(exact_limiter, settings)))
    add_edge_middleware(app, settings)
    return app


def add_edge_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    """Each `add_middleware` wraps the previous ones: CORS ends up outermost, so even a 413 or
    a 429 carries its headers."""
    if not settings.public_metrics and settings.metrics_token is not None:
        app.add_middleware(MetricsToken, token=settings.metrics_token.get_secret_value())
    # Innermost, so an over-long streamed body reaches the problem handlers as a 413.
    app.user_middleware.append(
        Middleware(
            BodySizeLimit,
            default=settings.max_body_bytes,
            by_prefix={telemetry.router.prefix: settings.max_telemetry_body_bytes},
            nul_checked_by_route=(telemetry.router.prefix,),
        )
    )
    served = console.console_dir(settings)
    if served is not None:  # inside the security headers, which keep the console's own CSP
        app.add_middleware(console.ConsoleFiles, directory=served, tile_url=settings.console_tile_url)
    app.add_middleware(SecurityHeaders, hsts=settings.hsts)
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-Id", "traceparent"],
            expose_headers=["X-Request-Id", "Retry-After", "WWW-Authenticate"],
            max_age=600,
        )
