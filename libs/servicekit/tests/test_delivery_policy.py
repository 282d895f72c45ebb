"""The consumer delivery policy of `process_batch`, with in-memory records and dead letters."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pydantic import BaseModel, TypeAdapter

from coldchain_contracts import VehicleRegistered
from coldchain_servicekit.consumers import Delivered, RetryPolicy, decode, process_batch, tombstone_aware
from coldchain_servicekit.failures import PermanentError

pytestmark = pytest.mark.unit


class Ping(BaseModel):
    n: int


@dataclass
class FakeRecord:
    value: bytes | None
    offset: int
    topic: str = "t.v1"
    partition: int = 0
    key: bytes | None = b"k"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class FakeDeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, record: FakeRecord, reason: str, error: object) -> None:
        self.sent.append((record.offset, reason))


ADAPTER = TypeAdapter(Ping)
NO_WAIT = {"base_delay_s": 0.0, "max_delay_s": 0.0}


async def test_invalid_records_are_dead_lettered_and_the_valid_ones_handled() -> None:
    handled: list[int] = []
    dlq = FakeDeadLetters()

    async def handle(batch: list[Delivered[Ping]]) -> None:
        handled.extend(d.message.n for d in batch)

    records = [
        FakeRecord(b'{"n": 1}', 0),
        FakeRecord(b"not json", 1),
        FakeRecord(b'{"n": "x"}', 2),
        FakeRecord(b'{"n": 3}', 3),
    ]
    await process_batch(records, ADAPTER, handle, dlq, RetryPolicy(**NO_WAIT))  # type: ignore[arg-type]
    assert handled == [1, 3]
    assert dlq.sent == [(1, "contract_violation"), (2, "contract_violation")]


async def test_a_failing_batch_is_raised_for_redelivery_until_attempts_run_out_then_dead_lettered() -> None:
    dlq = FakeDeadLetters()
    retry = RetryPolicy(attempts=3, **NO_WAIT)

    async def handle(batch: list[Delivered[Ping]]) -> None:
        raise ConnectionError("database down")

    records = [FakeRecord(b'{"n": 1}', 10), FakeRecord(b'{"n": 2}', 11)]
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
        assert dlq.sent == [], "nothing is dead-lettered while attempts remain"
    await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    assert dlq.sent == [(10, "retries_exhausted"), (11, "retries_exhausted")]


async def test_a_success_resets_the_attempt_count() -> None:
    retry = RetryPolicy(attempts=2, **NO_WAIT)
    dlq = FakeDeadLetters()
    fail = True

    async def handle(batch: list[Delivered[Ping]]) -> None:
        if fail:
            raise ConnectionError("flaky")

    records = [FakeRecord(b'{"n": 1}', 5)]
    with pytest.raises(ConnectionError):
        await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    fail = False
    await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    fail = True
    with pytest.raises(ConnectionError):
        await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    assert dlq.sent == []


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    retry = RetryPolicy(base_delay_s=1.0, max_delay_s=8.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delay = retry.delay_for(attempt)
        assert ceiling / 2 <= delay <= ceiling


async def test_attempts_keep_counting_when_a_redelivered_batch_is_regrouped_by_partition() -> None:
    dlq = FakeDeadLetters()
    retry = RetryPolicy(attempts=3, **NO_WAIT)

    async def handle(batch: list[Delivered[Ping]]) -> None:
        raise ConnectionError("database down")

    both = [FakeRecord(b'{"n": 1}', 7, partition=0), FakeRecord(b'{"n": 2}', 3, partition=1)]
    with pytest.raises(ConnectionError):
        await process_batch(both, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await process_batch(both[1:], ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    await process_batch(both[1:], ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    assert dlq.sent == [(3, "retries_exhausted")], "third attempt at partition 1's head"
    with pytest.raises(ConnectionError):
        await process_batch(both[:1], ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    assert dlq.sent == [(3, "retries_exhausted")], "partition 0's head has failed twice only"


async def test_a_failing_dead_letter_publish_sends_the_batch_back_for_redelivery() -> None:
    class BrokenDeadLetters(FakeDeadLetters):
        async def send(self, record: FakeRecord, reason: str, error: object) -> None:
            raise ConnectionError("kafka down")

    handled: list[int] = []

    async def handle(batch: list[Delivered[Ping]]) -> None:
        handled.extend(d.message.n for d in batch)

    records = [FakeRecord(b'{"n": 1}', 0), FakeRecord(b"poison", 1)]
    with pytest.raises(ConnectionError):
        await process_batch(records, ADAPTER, handle, BrokenDeadLetters(), RetryPolicy(**NO_WAIT))  # type: ignore[arg-type]
    assert handled == [1], "the valid record was handled; redelivery handles it again, idempotently"


async def test_transient_failures_are_retried_without_bound_by_default() -> None:
    dlq = FakeDeadLetters()
    retry = RetryPolicy(**NO_WAIT)

    async def handle(batch: list[Delivered[Ping]]) -> None:
        raise ConnectionError("database down")

    records = [FakeRecord(b'{"n": 1}', 0)]
    for _ in range(50):
        with pytest.raises(ConnectionError):
            await process_batch(records, ADAPTER, handle, dlq, retry)  # type: ignore[arg-type]
    assert dlq.sent == []


async def test_a_poison_record_is_isolated_and_the_rest_of_the_batch_takes_effect() -> None:
    """A record the handler refuses permanently (here: PostgreSQL would refuse its NUL) is
    dead-lettered alone, at once; the good records around it are applied, in order."""
    dlq = FakeDeadLetters()
    applied: list[int] = []

    async def handle(batch: list[Delivered[Ping]]) -> None:
        if any(d.message.n == 13 for d in batch):
            raise PermanentError("invalid byte sequence for encoding UTF8: 0x00")
        applied.extend(d.message.n for d in batch)

    values = [1, 2, 13, 4, 5, 6, 13, 8]
    records = [FakeRecord(f'{{"n": {n}}}'.encode(), i) for i, n in enumerate(values)]
    await process_batch(records, ADAPTER, handle, dlq, RetryPolicy(attempts=3, **NO_WAIT))  # type: ignore[arg-type]
    assert applied == [1, 2, 4, 5, 6, 8]
    assert dlq.sent == [(2, "handler_failed"), (6, "handler_failed")]


async def test_a_programming_error_is_permanent_and_never_retried() -> None:
    dlq = FakeDeadLetters()
    calls = 0

    async def handle(batch: list[Delivered[Ping]]) -> None:
        nonlocal calls
        calls += 1
        raise KeyError("bug")

    records = [FakeRecord(b'{"n": 1}', 0), FakeRecord(b'{"n": 2}', 1)]
    await process_batch(records, ADAPTER, handle, dlq, RetryPolicy(**NO_WAIT))  # type: ignore[arg-type]
    assert dlq.sent == [(0, "handler_failed"), (1, "handler_failed")]
    assert calls == 3, "the batch, then each half once"


async def test_a_transient_failure_while_isolating_redelivers_the_whole_batch() -> None:
    dlq = FakeDeadLetters()
    outage = False

    async def handle(batch: list[Delivered[Ping]]) -> None:
        nonlocal outage
        if outage:
            raise ConnectionError("database went down")
        if len(batch) > 1:
            outage = True
            raise PermanentError("bad row somewhere")

    records = [FakeRecord(b'{"n": 1}', 0), FakeRecord(b'{"n": 2}', 1)]
    with pytest.raises(ConnectionError):
        await process_batch(records, ADAPTER, handle, dlq, RetryPolicy(**NO_WAIT))  # type: ignore[arg-type]
    assert dlq.sent == []


def test_a_tombstone_decodes_as_the_removed_record_and_a_keyless_one_is_a_violation() -> None:
    decoder = tombstone_aware(TypeAdapter(VehicleRegistered), VehicleRegistered.removed)
    live = VehicleRegistered(vehicle_id="truck-1")
    records = [
        FakeRecord(value=live.model_dump_json().encode(), offset=0, key=b"truck-1"),
        FakeRecord(value=None, offset=1, key=b"truck-2"),
        FakeRecord(value=None, offset=2, key=None),
    ]
    good, bad = decode(records, decoder)
    assert [(d.message.vehicle_id, d.message.active) for d in good] == [("truck-1", True), ("truck-2", False)]
    assert [r for r, _ in bad] == [records[2]]
