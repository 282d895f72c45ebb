"""The service credential on internal HTTP APIs (tracking, ingest, orders, dispatch).

Those APIs take writes with any `operator_id` and read everything: in a container network
anyone who reaches the port could use them. So every request needs
`Authorization: Bearer <COLDCHAIN_INTERNAL_TOKEN>`, one shared secret that the gateway's
upstream clients send (`internal_headers`); without it the answer is a 401 problem.
Probes, metrics and the API descriptions stay open (`OPEN_PATHS`): a load balancer, a
Prometheus scraper and a reader of the contract need no secret, and they expose no data.

A service with an internal API refuses to start without the token (`required_token`), so
a missing variable is a failed deploy, not an open door. `make run` and the test fixtures
set `DEV_INTERNAL_TOKEN`; the gateway refuses that value outside dev mode.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from coldchain_servicekit.problems import problem

DEV_INTERNAL_TOKEN = "cc-internal-dev-token-not-for-production"  # noqa: S105  # pragma: allowlist secret
MIN_TOKEN_LENGTH = 16
OPEN_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/asyncapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
    }
)


class MissingInternalToken(RuntimeError):
    """COLDCHAIN_INTERNAL_TOKEN is unset or too short: the service must not start."""


def required_token(token: SecretStr | None) -> str:
    value = token.get_secret_value() if token is not None else ""
    if len(value) < MIN_TOKEN_LENGTH:
        raise MissingInternalToken(
            f"COLDCHAIN_INTERNAL_TOKEN must be set to a secret of at least {MIN_TOKEN_LENGTH} characters, "
            "the same for the gateway and every service (make run and the tests set a dev one)"
        )
    return value


def internal_headers(token: SecretStr | None) -> dict[str, str]:
    """What a caller of an internal API sends (the gateway's upstream clients)."""
    return {"Authorization": f"Bearer {required_token(token)}"}


class InternalAuth:
    """Pure ASGI: a request outside `OPEN_PATHS` without the bearer token gets a 401 problem
    before any route runs. Compared in constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = problem(
            401,
            "Service credential required",
            "internal API: send Authorization: Bearer <COLDCHAIN_INTERNAL_TOKEN>; "
            "clients use the gateway's public API",
            instance=scope["path"],
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="coldchain-internal"'
        await response(scope, receive, send)
