"""Forwarding a request to a service's internal HTTP API, answers passed through.

The upstream's status, body and content type (problem details included) reach the
client unchanged; an unreachable upstream is a 503 problem with Retry-After, a
failing one a 502, never a hang (the client has a timeout).

An idempotent request (GET, PUT, DELETE) that finds its pooled connection closed under it
(`RemoteProtocolError`: the upstream dropped a keep-alive connection as the request
went out) is sent once more on a fresh connection; anything else is not retried.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import HTTPException, Response

_PASSED_HEADERS = ("content-disposition", "location")
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})
# Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection before the
# upstream does instead of racing it.
KEEPALIVE_EXPIRY_S = 4.0


async def forward(
    client: httpx.AsyncClient,
    service: str,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float | None = None,
) -> Response:
    query = {k: v for k, v in (params or {}).items() if v is not None}
    attempts = 2 if method in _IDEMPOTENT else 1
    try:
        for attempt in range(1, attempts + 1):
            try:
                upstream = await client.request(
                    method,
                    path,
                    params=query,
                    json=json,
                    content=content,
                    headers=headers,
                    timeout=timeout_s if timeout_s is not None else httpx.USE_CLIENT_DEFAULT,
                )
                break
            except httpx.RemoteProtocolError:
                if attempt == attempts:
                    raise
    except httpx.HTTPError as exc:
        raise HTTPException(
            503, f"{service.capitalize()} service unavailable", headers={"Retry-After": "5"}
        ) from exc
    if upstream.status_code >= 500:
        raise HTTPException(502, f"{service.capitalize()} service error")
    passed = {h: upstream.headers[h] for h in _PASSED_HEADERS if h in upstream.headers}
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type"),
        headers=passed,
    )
