"""Connection rules of the OsmAnd port, in uvicorn's HTTP/1.1 protocol (h11).

uvicorn holds a connection that never completes a request for as long as the client
likes (its keep-alive timer runs only between requests and stops at the first byte),
and counts no connections per address. This subclass adds both: a connection over the
total or per-address cap is answered 503 with `Retry-After` and closed before anything
is read, and a request's headers must arrive within `request_timeout_s` of the
connection opening or of the previous response (the body's own deadline is the
listener's). Headers are capped by h11's 16 KiB incomplete-event limit.
"""

from __future__ import annotations

import asyncio
import json

from prometheus_client import Counter
from uvicorn.protocols.http.h11_impl import H11Protocol

from coldchain_ingest.protocols.limits import ConnectionSlots

RETRY_AFTER_S = 5
REFUSED = Counter(
    "ingest_osmand_connections_refused_total", "OsmAnd connections answered 503 at once", ["reason"]
)
SLOW_CLIENTS = Counter(
    "ingest_osmand_slow_clients_total", "OsmAnd connections closed for not sending a request in time"
)


def _busy(reason: str) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Too many connections; retry",
            "status": 503,
            "detail": reason.replace("_", " "),
        }
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n"
        f"retry-after: {RETRY_AFTER_S}\r\nconnection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def guarded_h11(slots: ConnectionSlots, request_timeout_s: float) -> type[H11Protocol]:
    """An `H11Protocol` class bound to these slots (uvicorn builds one per connection)."""

    class GuardedH11Protocol(H11Protocol):
        _address = ""
        _admitted = False
        _deadline: asyncio.TimerHandle | None = None
        _armed_for: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            refusal = slots.admit(self._address)
            if refusal is not None:
                REFUSED.labels(refusal).inc()
                transport.write(_busy(refusal))
                transport.close()
                return
            self._admitted = True
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            if self._admitted:
                self._admitted = False
                slots.release(self._address)
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._armed_for = self.cycle  # a new request replaces the cycle
            self._deadline = self.loop.call_later(request_timeout_s, self._expire)

        def _expire(self) -> None:
            if self.cycle is self._armed_for and not self.transport.is_closing():
                SLOW_CLIENTS.inc()
                self.transport.close()

    return GuardedH11Protocol
