"""ASGI middleware of the public edge: security headers, body size limits, CORS, and the
optional bearer token in front of `/metrics`. Pure ASGI (no per-request task) because
telemetry ingest passes through all of it."""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coldchain_servicekit.problems import PROBLEM_JSON

API_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"cross-origin-resource-policy": b"same-origin",
    b"permissions-policy": b"geolocation=(), camera=(), microphone=()",
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"cache-control": b"no-store",
}
# Swagger UI loads its script and style from a CDN and runs an inline initialiser.
DOCS_CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    b"connect-src 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = b"max-age=31536000; includeSubDomains"


def problem_bytes(status: int, title: str, detail: str, instance: str) -> bytes:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    return json.dumps(body).encode()


async def send_problem(
    send: Send, status: int, title: str, detail: str, instance: str, headers: dict[str, str] | None = None
) -> None:
    response = Response(
        problem_bytes(status, title, detail, instance),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )
    await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in API_HEADERS.items() if k not in present]
                if docs:
                    extra = [(k, DOCS_CSP if k == b"content-security-policy" else v) for k, v in extra]
                if self.hsts:
                    extra.append((b"strict-transport-security", HSTS))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(HTTPException):
    """An HTTPException so FastAPI's body reader re-raises it unchanged (as a 413 problem)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "Request body too large")
        self.limit = limit


class NulInJson(HTTPException):
    """U+0000 in a JSON body: no PostgreSQL text or JSONB column can store it, so whatever
    carries it would fail downstream; refused here for every route (422)."""

    def __init__(self) -> None:
        super().__init__(422, "The JSON body contains U+0000, which cannot be stored")


NUL_ESCAPE = b"\\u0000"


class BodySizeLimit:
    """Refuses bodies over the limit: at once from Content-Length, or while reading a
    chunked body, before it is buffered whole. Longest matching path prefix wins. Also the
    one place that sees every JSON body: refuses those carrying U+0000 (`NulInJson`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int,
        by_prefix: dict[str, int],
        nul_checked_by_route: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.default = default
        self.by_prefix = sorted(by_prefix.items(), key=lambda kv: -len(kv[0]))
        # Routes whose models refuse U+0000 per field (naming it) are left to them.
        self.nul_checked_by_route = nul_checked_by_route

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.by_prefix if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_problem(
                send, 413, "Request body too large", f"The limit is {limit} bytes", scope["path"]
            )
            return
        received = 0
        started = False
        is_json = b"json" in dict(scope["headers"]).get(b"content-type", b"") and not scope[
            "path"
        ].startswith(self.nul_checked_by_route or ("\0",))
        tail = b""  # an escape split across two chunks

        async def counting_receive() -> Message:
            nonlocal received, tail
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                received += len(body)
                if received > limit:
                    raise BodyTooLarge(limit)
                if is_json and NUL_ESCAPE in tail + body:
                    raise NulInJson
                tail = body[-(len(NUL_ESCAPE) - 1) :]
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await send_problem(
                send, 413, "Request body too large", f"The limit is {limit} bytes", scope["path"]
            )


class MetricsToken:
    """`/metrics` only with `Authorization: Bearer <token>` (when the token is configured)."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/metrics":
            presented = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(presented, self.expected):
                await send_problem(
                    send,
                    401,
                    "Authentication required",
                    "/metrics needs the metrics bearer token",
                    "/metrics",
                    {"WWW-Authenticate": 'Bearer realm="coldchain-metrics"'},
                )
                return
        await self.app(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as a problem like every other error."""

    def preflight_response(self, request_headers: Any) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 400:
            detail = bytes(response.body).decode()
            body = problem_bytes(400, "CORS preflight refused", detail, "")
            kept = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
            return Response(body, status_code=400, media_type=PROBLEM_JSON, headers=kept)
        return response
