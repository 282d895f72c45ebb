"""A second uvicorn server inside the ingest process, on the event loop of the first.

The outer server (the service's API) owns the process signals; this one never installs
handlers, it is started and stopped by the service's lifespan. The socket is bound
before serving starts, so a port already in use fails the service's start loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)


class _Embedded(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedServer:
    def __init__(
        self,
        name: str,
        app: ASGIApp,
        host: str,
        port: int,
        graceful_s: float = 5.0,
        *,
        http: type[asyncio.Protocol] | None = None,
        keep_alive_s: int = 5,
        backlog: int = 2048,
    ) -> None:
        """`http`: uvicorn's HTTP protocol class (default: its own choice)."""
        self._name = name
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",
            log_config=None,
            access_log=False,
            proxy_headers=False,  # the client address is the peer's, never a forged header
            timeout_graceful_shutdown=int(graceful_s),
            http=http or "auto",
            timeout_keep_alive=keep_alive_s,
            backlog=backlog,
        )
        self._server = _Embedded(self._config)
        self._task: asyncio.Task[None] | None = None
        self.port = port

    async def start(self) -> None:
        sock = socket.create_server((self._config.host, self._config.port), backlog=self._config.backlog)
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name=self._name)
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise RuntimeError(f"{self._name} stopped while starting")
            await asyncio.sleep(0.01)
        log.info("listening", listener=self._name, host=self._config.host, port=self.port)

    async def stop(self) -> None:
        """Stop accepting, let requests in flight finish (they are waiting on Kafka)."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
