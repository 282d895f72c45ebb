"""W3C Trace Context (`traceparent`) carried from HTTP requests through Kafka headers.

Each hop keeps the trace id and takes a new span id, so one fix can be followed from
the gateway request through ingest and tracking to the vehicle-state event. Spans are
not exported yet; the ids are what log correlation and a later OpenTelemetry exporter
need. Format: https://www.w3.org/TR/trace-context/#traceparent-header
"""

from __future__ import annotations

import re
import secrets

HEADER = "traceparent"
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def _is_valid(version: str, trace_id: str, parent_id: str) -> bool:
    return version != "ff" and trace_id != "0" * 32 and parent_id != "0" * 16


def parse(value: str | None) -> tuple[str, str] | None:
    """(trace id, flags) of a valid traceparent, else None (invalid ones are ignored, per spec)."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if not match:
        return None
    version, trace_id, parent_id, flags = match.groups()
    return (trace_id, flags) if _is_valid(version, trace_id, parent_id) else None


def child_of(parent: str | None) -> str:
    """A traceparent for the next hop: same trace as `parent` if valid, else a new trace."""
    parsed = parse(parent)
    trace_id, flags = parsed if parsed else (secrets.token_hex(16), "01")
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def trace_id_of(value: str | None) -> str | None:
    parsed = parse(value)
    return parsed[0] if parsed else None
