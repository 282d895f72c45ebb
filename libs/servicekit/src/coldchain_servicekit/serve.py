"""Run a service's ASGI app with uvicorn, logs already configured by the service.

uvicorn's proxy-header handling is off: by default it rewrites the client address from
`X-Forwarded-For` for any request coming from 127.0.0.1, so anyone on the same host (or
behind a local sidecar) could pick the address that per-IP rate limits count. Services
that sit behind a proxy decide themselves which peers they trust (the gateway's
`GATEWAY_TRUSTED_PROXIES`).
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def server_config(app: FastAPI, host: str, port: int, **options: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        **options,  # type: ignore[arg-type]
    )


def serve(app: FastAPI, host: str, port: int) -> None:
    uvicorn.Server(server_config(app, host, port, lifespan="on")).run()
