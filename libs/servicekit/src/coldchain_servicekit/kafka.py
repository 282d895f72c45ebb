"""Kafka broker construction and publishing.

Producers: `acks=all` with idempotence, so a publish that returned is on every
in-sync replica and a retried send never duplicates. Reading is the consumer kit's job
(`coldchain_servicekit.consumers`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from faststream.kafka import KafkaBroker

from coldchain_servicekit import tracecontext
from coldchain_servicekit.health import ReadinessCheck
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import kafka_security, kafka_token_provider

log = get_logger(__name__)


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=True,
        graceful_timeout=10.0,
        log_level=logging.getLevelNamesMapping()[settings.message_log_level.upper()],
        security=kafka_security(settings),
        sasl_oauth_token_provider=kafka_token_provider(settings),
    )


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    key: str
    value: bytes | None  # None: a tombstone (compaction deletes the key)
    headers: dict[str, str]

    @classmethod
    def event(cls, topic: str, key: str, message: Event, parent_trace: str | None) -> Outgoing:
        """A contract message with its ids mirrored into headers and the next hop of its trace."""
        headers = {"event_type": message.event_type, "event_id": str(message.event_id)}
        if message.correlation_id is not None:
            headers["correlation_id"] = str(message.correlation_id)
        headers[tracecontext.HEADER] = tracecontext.child_of(parent_trace)
        return cls(topic=topic, key=key, value=message.model_dump_json().encode(), headers=headers)

    @classmethod
    def tombstone(cls, topic: str, key: str, parent_trace: str | None) -> Outgoing:
        """A null value for `key`: on a compacted topic the key is deleted."""
        return cls(
            topic=topic,
            key=key,
            value=None,
            headers={tracecontext.HEADER: tracecontext.child_of(parent_trace)},
        )


class Event(Protocol):
    """What `Outgoing.event` reads from a contract message."""

    @property
    def event_type(self) -> str: ...
    @property
    def event_id(self) -> uuid.UUID: ...
    @property
    def correlation_id(self) -> uuid.UUID | None: ...
    def model_dump_json(self) -> str: ...


async def publish_all(broker: KafkaBroker, messages: Sequence[Outgoing]) -> None:
    """Publish in the given order and wait until Kafka acknowledged every message.

    Each send is enqueued before the next one starts (`no_confirm=True` hands back the
    delivery future), so messages with the same key keep their order on the partition;
    acknowledgements are then awaited together, so a batch costs one round trip, not N.
    """
    pending = [
        await broker.publish(m.value, topic=m.topic, key=m.key.encode(), headers=m.headers, no_confirm=True)
        for m in messages
    ]
    await asyncio.gather(*(p for p in pending if inspect.isawaitable(p)))


def kafka_check(broker: KafkaBroker) -> ReadinessCheck:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("Kafka broker not reachable")

    return check
