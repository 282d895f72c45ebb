"""One batch through decode, handle and dead-letter (the policy is in the package doc)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from prometheus_client import Counter
from pydantic import BaseModel

from coldchain_servicekit.consumers.dead_letters import DeadLetters
from coldchain_servicekit.consumers.records import Decoder, Delivered, Record, decode
from coldchain_servicekit.consumers.retry import RetryPolicy
from coldchain_servicekit.failures import is_transient
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[list[Delivered[M]]], Awaitable[None]]

CONSUMED = Counter("coldchain_consumed_total", "Messages consumed", ["topic"])
TRANSIENT_FAILURES = Counter(
    "coldchain_transient_failures_total", "Batches redelivered after a transient error", ["topic"]
)


async def process_batch(
    records: Sequence[Record],
    decoder: Decoder[M],
    handle: Handler[M],
    dead_letters: DeadLetters,
    retry: RetryPolicy,
) -> None:
    """Decode, handle the valid records, dead-letter the invalid ones (see package doc)."""
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


async def _handle_isolating(batch: list[Delivered[M]], handle: Handler[M]) -> list[tuple[Record, Exception]]:
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
                event_id=batch[0].header("event_id"),
                correlation_id=batch[0].header("correlation_id"),
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
