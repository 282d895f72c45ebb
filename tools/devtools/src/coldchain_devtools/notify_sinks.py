"""Real receivers for notifications: an HTTP webhook receiver and an SMTP mail sink.

Used by the notify tests, the end-to-end tests and `make bench-notify`. The receiver
verifies each call's signature (docs/notifications.md) with the secrets it is given, and
can be told to fail a share of its calls (HTTP 500) to exercise retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coldchain_notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


class _QuietServer(uvicorn.Server):
    """Leaves the process's signals to its owner (pytest, the bench)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(frozen=True)
class Call:
    headers: dict[str, str]
    body: bytes
    received_at: float
    """`time.time()` on arrival."""
    verified: bool
    answered: int


@dataclass
class WebhookReceiver:
    """`POST /hook` answers 204 to a correctly signed call, 401 to a bad signature, and 500
    to a share `fail_ratio` of calls (or the next `fail_next` ones)."""

    secrets: list[str] = field(default_factory=list)
    signed: bool = True
    """False: accept unsigned calls (an SMS gateway stand-in)."""
    fail_ratio: float = 0.0
    fail_next: int = 0
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        verified = any(
            verify(
                headers.get(SIGNATURE_HEADER.lower(), ""),
                headers.get(TIMESTAMP_HEADER.lower(), ""),
                body,
                s,
                time.time(),
            )
            for s in self.secrets
        )
        if self.fail_next > 0:
            self.fail_next -= 1
            status = 500
        elif self.fail_ratio and random.random() < self.fail_ratio:  # noqa: S311 - fault injection
            status = 500
        else:
            status = 204 if verified or not self.signed else 401
        self.calls.append(Call(headers, body, time.time(), verified, status))
        return Response(status_code=status)

    def accepted(self) -> list[Call]:
        return [c for c in self.calls if c.answered == 204]

    async def start(self) -> None:
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, lifespan="off", log_config=None, access_log=False
        )
        server = _QuietServer(config)
        self._server = server
        self._task = asyncio.create_task(server.serve())
        while not server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.02)
        self.port = server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class _Collect:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._sink.lock:
            self._sink.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@dataclass
class MailSink:
    """An SMTP server (aiosmtpd, in its own thread) keeping every message it receives."""

    port: int = 0
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def start(self) -> None:
        if not self.port:  # aiosmtpd probes its own port once started: it needs a real one
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        self.port = self._controller.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]


@contextlib.contextmanager
def mail_sink(port: int = 0) -> Iterator[MailSink]:
    sink = MailSink(port=port)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def body_json(call: Call) -> Any:
    return json.loads(call.body)
