"""The web console (web/dist, built by `make install`) served at `/`, and its public config.

Static files are served in front of the API routes by a small ASGI wrapper, only for GET
and HEAD on paths outside the API's prefixes, so the route table (and its permission
check) stays the API's alone. Hashed build assets are immutable and cached for a year;
everything else (index.html, the outline) is revalidated on every load, so a new build
is picked up at once. The content security policy allows only what the console uses:
its own scripts and styles, same-origin fetches and WebSocket, images from itself, data
URIs (Leaflet's icons) and the configured tile server.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coldchain_gateway.settings import GatewaySettings

REPO_DIST = Path(__file__).resolve().parents[4] / "web" / "dist"
API_PREFIXES = (
    "/v1/",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/asyncapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
)
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"

router = APIRouter(prefix="/v1/console", tags=["console"])


class ConsoleConfig(BaseModel):
    tile_url: str
    tile_attribution: str
    time_zone: str


@router.get("/config", summary="What the web console needs to start (public: shown before login)")
async def console_config(request: Request) -> ConsoleConfig:
    settings: GatewaySettings = request.app.state.settings
    return ConsoleConfig(
        tile_url=settings.console_tile_url,
        tile_attribution=settings.console_tile_attribution,
        time_zone=settings.console_time_zone,
    )


def console_dir(settings: GatewaySettings) -> Path | None:
    """The build to serve: the configured one, else the checkout's web/dist if built."""
    if settings.console_dir is not None:
        return settings.console_dir
    return REPO_DIST if (REPO_DIST / "index.html").is_file() else None


def tile_origin(tile_url: str) -> str | None:
    """The CSP source of a tile URL template: its scheme and host, `{s}` subdomains as `*`."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def content_security_policy(tile_url: str) -> str:
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(tile_url)]))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; manifest-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def is_console_path(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


class ConsoleFiles:
    """Serves the console's files; every other request goes on to the API."""

    def __init__(self, app: ASGIApp, *, directory: Path, tile_url: str) -> None:
        self.app = app
        self.files = StaticFiles(directory=directory, html=True, check_dir=True)
        self.csp = content_security_policy(tile_url).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not is_console_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        cache = IMMUTABLE if scope["path"].startswith("/assets/") else REVALIDATE

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"cache-control", b"content-security-policy")
                ]
                message["headers"] = [
                    *headers,
                    (b"cache-control", cache),
                    (b"content-security-policy", self.csp),
                ]
            await send(message)

        try:
            await self.files(scope, receive, with_headers)
        except HTTPException:  # no such file: the API's 404 problem answers (nothing was sent yet)
            await self.app(scope, receive, send)
