"""Component tests exercise route logic without PostgreSQL or Redis: authentication is a
fixed principal and rate limits are off (both are tested for real in tests/integration)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from coldchain_gateway.app import create_app
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal, Unauthenticated
from coldchain_gateway.security.ratelimit import NoLimits
from coldchain_gateway.settings import GatewaySettings

INGEST_ANY = Principal(
    "test-integration",
    "integration",
    "component tests",
    frozenset({Permission.TELEMETRY_INGEST, Permission.VEHICLES_READ}),
)


class StaticAuthenticator:
    """Accepts the one token `good` as `principal`."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def authenticate(self, token: str | None) -> Principal:
        if token != "good":
            raise Unauthenticated("not the test token", invalid=token is not None)
        return self.principal


@pytest.fixture(scope="module", autouse=True)
def collect_garbage_after_each_module() -> Iterator[None]:
    """What a module's tests leave behind (pending tasks of closed servers, futures holding
    Redis connection errors) is finalised here rather than at a random point of the next
    module: CPython 3.11 raises `SystemError: AST constructor recursion depth mismatch`
    when such a finaliser runs inside `ast.parse`, which FastStream's TestKafkaBroker calls
    on the test's source."""
    yield
    gc.collect()


AUTH = {"X-API-Key": "good"}
AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app() -> AppFactory:
    def make(principal: Principal = INGEST_ANY, **settings: Any) -> FastAPI:
        app = create_app(GatewaySettings(dev_mode=True, **settings))
        app.state.authenticator = StaticAuthenticator(principal)
        app.state.limiter = app.state.route_limiter = NoLimits()
        return app

    return make
