"""Kafka broker construction and the delivery policy every consumer follows.

Producers: `acks=all` with idempotence, so a publish that returned is on every
in-sync replica and a retried send never duplicates.

Consumers: offsets commit only after the handler returned (FastStream
`AckPolicy.NACK_ON_ERROR`: an exception seeks back, so the batch is redelivered).
On top of that, `process_batch` classifies failures (`failures.is_transient`):

* a record that cannot be decoded into its contract goes to `<topic>.<service>.dlq`
  with the original bytes and the error in headers, and the rest of the batch is
  processed;
* a permanent failure of the handler (bad data, a bug) is isolated by bisection: the
  batch is handled again in halves, in record order, until the records that fail on
  their own are found; those alone are dead-lettered, every other record takes effect,
  so one poison record never blocks a partition nor drags good records with it;
* a transient failure (a dependency down) redelivers the whole batch after a jittered
  backoff, until the dependency is back (or, if `attempts` is set, until it runs out).

Handlers must therefore be idempotent: a record may be handled more than once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import BaseModel, TypeAdapter

from coldchain_contracts import dlq_topic
from coldchain_servicekit import tracecontext
from coldchain_servicekit.failures import is_transient
from coldchain_servicekit.health import ReadinessCheck
from coldchain_servicekit.logging import get_logger
from coldchain_servicekit.settings import ServiceSettings

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)

DEAD_LETTERED = Counter(
    "coldchain_dead_lettered_total", "Messages sent to a dead-letter topic", ["topic", "reason"]
)
CONSUMED = Counter("coldchain_consumed_total", "Messages consumed", ["topic"])
TRANSIENT_FAILURES = Counter(
    "coldchain_transient_failures_total", "Batches redelivered after a transient error", ["topic"]
)


class Record(Protocol):
    """The parts of an aiokafka ConsumerRecord we rely on."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=True,
        graceful_timeout=10.0,
        log_level=logging.getLevelNamesMapping()[settings.message_log_level.upper()],
    )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to publish; `value=None` is a tombstone (compaction removes the key)."""

    topic: str
    key: str
    value: bytes | None
    headers: dict[str, str]

    @classmethod
    def event(cls, topic: str, key: str, message: Event, parent_trace: str | None) -> Outgoing:
        """A contract message with its ids mirrored into headers and the next hop of its trace."""
        headers = {"event_type": message.event_type, "event_id": str(message.event_id)}
        if message.correlation_id is not None:
            headers["correlation_id"] = str(message.correlation_id)
        headers[tracecontext.HEADER] = tracecontext.child_of(parent_trace)
        return cls(topic=topic, key=key, value=message.model_dump_json().encode(), headers=headers)


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


def undecoded(_message: Any) -> None:
    """FastStream decoder that decodes nothing.

    Our handlers take the raw records (`records_of`) and validate each with its contract's
    pydantic adapter. FastStream's default decoder would first `json.loads` every record of
    every batch, and nothing reads the result. That was a quarter of the gateway's CPU
    under telemetry load (py-spy during `make bench-telemetry`)."""
    return None


def batch_subscriber_options(settings: ServiceSettings) -> dict[str, Any]:
    """Options for every batch consumer: own group, manual commit, start at the beginning.

    FastStream's batch loop sleeps `batch_timeout_ms` after an empty poll on top of the
    poll itself, so an idle consumer reacts within about twice that: kept short because
    a fix crosses two consumers on its way to live state.
    """
    return {
        "group_id": settings.service_name,
        "batch": True,
        "max_records": settings.consumer_batch_max,
        "batch_timeout_ms": settings.consumer_poll_timeout_ms,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "decoder": undecoded,
    }


class DeadLetters:
    """Publishes failed records to `<topic>.<service>.dlq` with the failure in headers."""

    def __init__(self, broker: KafkaBroker, service: str) -> None:
        self._broker = broker
        self._service = service

    async def send(self, record: Record, reason: str, error: BaseException | str) -> None:
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers}
        headers.update(
            {
                "x-dlq-original-topic": record.topic,
                "x-dlq-original-partition": str(record.partition),
                "x-dlq-original-offset": str(record.offset),
                "x-dlq-consumer": self._service,
                "x-dlq-reason": reason,
                "x-dlq-error": str(error)[:2000],
                "x-dlq-error-type": type(error).__name__ if isinstance(error, BaseException) else "str",
                "x-dlq-failed-at": datetime.now(UTC).isoformat(),
            }
        )
        await self._broker.publish(
            record.value or b"",
            topic=dlq_topic(record.topic, self._service),
            key=record.key,
            headers=headers,
        )
        DEAD_LETTERED.labels(record.topic, reason).inc()
        log.warning(
            "dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=str(error)[:300],
        )


@dataclass(frozen=True, slots=True)
class Delivered(Generic[M]):
    record: Record
    message: M

    def header(self, name: str) -> str | None:
        for key, value in self.record.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return None


def partition_heads(records: Sequence[Record]) -> list[tuple[str, int, int]]:
    """(topic, partition, first offset) of each partition in a batch.

    A redelivered batch may be regrouped across partitions, but each partition restarts
    at the same first offset, so failures are counted per partition head.
    """
    heads: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        heads[key] = min(record.offset, heads.get(key, record.offset))
    return [(topic, partition, offset) for (topic, partition), offset in heads.items()]


@dataclass
class RetryPolicy:
    """Jittered backoff for transient failures, counted per partition head.

    `attempts=0` (the default) retries until the dependency is back: a transient failure
    means nothing on the partition could progress anyway, and dead-lettering good records
    during an outage would turn it into data somebody must replay. A positive bound
    restores the old trade (dead-letter after that many attempts).
    """

    attempts: int = 0
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_tracked: int = 10_000
    _failures: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def record_failure(self, records: Sequence[Record]) -> int:
        """Count one more failed attempt for the batch; returns the attempt number."""
        heads = partition_heads(records)
        attempt = 1 + max(self._failures.get(head, 0) for head in heads)
        if len(self._failures) >= self.max_tracked:
            self._failures.clear()  # bounded memory; at worst a count restarts
        for head in heads:
            self._failures[head] = attempt
        return attempt

    def exhausted(self, attempt: int) -> bool:
        """Whether a batch that failed `attempt` times should be dead-lettered (0: never)."""
        return 0 < self.attempts <= attempt

    def forget(self, records: Sequence[Record]) -> None:
        for head in partition_heads(records):
            self._failures.pop(head, None)

    def delay_for(self, attempt: int) -> float:
        backoff = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)


def retry_policy(settings: ServiceSettings) -> RetryPolicy:
    return RetryPolicy(
        attempts=settings.dlq_transient_attempts,
        base_delay_s=settings.retry_base_delay_s,
        max_delay_s=settings.retry_max_delay_s,
    )


Decoder = TypeAdapter[M] | Callable[[Record], M]
"""A message type's adapter (JSON value), or a function of the whole record (e.g. tombstones)."""


def decode(
    records: Sequence[Record], decoder: Decoder[M]
) -> tuple[list[Delivered[M]], list[tuple[Record, Exception]]]:
    """Split records into decoded messages and contract violations (any ValueError)."""
    good: list[Delivered[M]] = []
    bad: list[tuple[Record, Exception]] = []
    for record in records:
        try:
            if isinstance(decoder, TypeAdapter):
                message = decoder.validate_json(record.value or b"")
            else:
                message = decoder(record)
            good.append(Delivered(record, message))
        except ValueError as exc:  # pydantic's ValidationError, bad UTF-8, bad JSON
            bad.append((record, exc))
    return good, bad


async def process_batch(
    records: Sequence[Record],
    decoder: Decoder[M],
    handle: Callable[[list[Delivered[M]]], Awaitable[None]],
    dead_letters: DeadLetters,
    retry: RetryPolicy,
) -> None:
    """Decode, handle the valid records, dead-letter the invalid ones (see module doc)."""
    if not records:
        return
    head = records[0]
    with structlog.contextvars.bound_contextvars(
        topic=head.topic,
        partitions=sorted({r.partition for r in records}),
        first_offset=head.offset,
        records=len(records),
    ):
        good, bad = decode(records, decoder)
        try:
            failed = await _handle_isolating(good, handle) if good else []
        except Exception as exc:
            attempt = retry.record_failure(records)
            TRANSIENT_FAILURES.labels(head.topic).inc()
            if not retry.exhausted(attempt):
                delay = retry.delay_for(attempt)
                log.warning(
                    "batch failed on a transient error, will be redelivered",
                    attempt=attempt,
                    delay_s=round(delay, 2),
                    error=repr(exc)[:300],
                )
                await asyncio.sleep(delay)
                raise
            log.error("batch failed on every attempt; dead-lettering", error=repr(exc)[:300])
            failed = [(d.record, exc) for d in good]
            await _dead_letter(dead_letters, failed, "retries_exhausted", retry)
            failed = []
            retry.forget(records)  # a redelivery (if what follows fails) starts counting afresh
        await _dead_letter(dead_letters, failed, "handler_failed", retry)
        await _dead_letter(dead_letters, bad, "contract_violation", retry)
        retry.forget(records)
        CONSUMED.labels(head.topic).inc(len(records))


async def _handle_isolating(
    batch: list[Delivered[M]], handle: Callable[[list[Delivered[M]]], Awaitable[None]]
) -> list[tuple[Record, Exception]]:
    """Handle the batch; on a permanent failure, bisect it and return the records that fail alone.

    Halves are handled in record order, so per-key order holds. A transient failure at any
    depth propagates: the whole batch is then redelivered, and what already took effect is
    applied again (handlers are idempotent).
    """
    try:
        await handle(batch)
        return []
    except Exception as exc:
        if is_transient(exc):
            raise
        if len(batch) == 1:
            log.warning(
                "record failed permanently",
                partition=batch[0].record.partition,
                offset=batch[0].record.offset,
                error=repr(exc)[:300],
            )
            return [(batch[0].record, exc)]
    middle = len(batch) // 2
    return await _handle_isolating(batch[:middle], handle) + await _handle_isolating(batch[middle:], handle)


async def _dead_letter(
    dead_letters: DeadLetters,
    failed: Sequence[tuple[Record, BaseException]],
    reason: str,
    retry: RetryPolicy,
) -> None:
    """Dead-letter records; if that fails too, back off before the batch is redelivered."""
    try:
        for record, error in failed:
            await dead_letters.send(record, reason, error)
    except Exception as exc:
        delay = retry.delay_for(retry.attempts)
        log.error(
            "dead-letter publish failed; batch will be redelivered",
            delay_s=round(delay, 2),
            error=repr(exc)[:300],
        )
        await asyncio.sleep(delay)
        raise


def records_of(raw_message: object) -> list[Record]:
    """The consumer records behind a FastStream batch message (a tuple live, a list in tests)."""
    if isinstance(raw_message, (tuple, list)):
        return list(raw_message)
    return [raw_message]  # type: ignore[list-item]


def kafka_check(broker: KafkaBroker) -> ReadinessCheck:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("Kafka broker not reachable")

    return check
