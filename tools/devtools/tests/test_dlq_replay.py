"""DLQ replay: records go back to their original topic with their key and original headers."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from coldchain_contracts.topics import dlq_topic
from coldchain_devtools.dlq_replay import (
    Decision,
    ReplayError,
    ReplayResult,
    consumer_group,
    decide,
    header_value,
    replay_dlq,
    replay_headers,
)
from coldchain_devtools.testing import Infra, find_record

# ----------------------------------------------------------------------------- unit


@pytest.mark.unit
def test_replay_headers_drop_only_the_dlq_ones_and_keep_order() -> None:
    headers = [
        ("content-type", b"application/json"),
        ("x-dlq-original-topic", b"telemetry.gps.v1"),
        ("traceparent", b"00-abc-def-01"),
        ("X-DLQ-Reason", b"contract_violation"),
        ("baggage", b"a=1"),
        ("baggage", b"b=2"),
    ]
    assert replay_headers(headers) == [
        ("content-type", b"application/json"),
        ("traceparent", b"00-abc-def-01"),
        ("baggage", b"a=1"),
        ("baggage", b"b=2"),
    ]


@pytest.mark.unit
def test_decide_targets_the_original_topic_or_skips() -> None:
    dlq = "telemetry.gps.v1.tracking.dlq"
    assert decide(dlq, [("x-dlq-original-topic", b"telemetry.gps.v1")]) == Decision("telemetry.gps.v1")
    assert decide(dlq, [("traceparent", b"x")]).target is None
    assert decide(dlq, [("x-dlq-original-topic", b"  ")]).target is None
    assert decide(dlq, [("x-dlq-original-topic", dlq.encode())]).target is None


@pytest.mark.unit
def test_small_helpers() -> None:
    assert consumer_group("a.b.dlq") == "dlq-replay.a.b.dlq"
    assert header_value([("h", b"1"), ("h", b"2")], "h") == "2"
    assert header_value([], "h") is None
    assert ReplayResult(2, 1).summary() == "replayed 2, skipped 1"
    assert ReplayResult(0, 1, 3, dry_run=True).summary().startswith("replayed 0, skipped 1 (dry run: 3 ")


# ----------------------------------------------------------------------------- integration


@dataclass(frozen=True)
class Topics:
    original: str
    dlq: str


@pytest.fixture
async def topics(infra: Infra) -> AsyncIterator[Topics]:
    suffix = uuid.uuid4().hex[:8]
    original = f"devtools-it.fixes.{suffix}"
    names = Topics(original, dlq_topic(original, "tracking"))
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(names.original, 3, 1), NewTopic(names.dlq, 1, 1)])
        yield names
        await admin.delete_topics([names.original, names.dlq])
    finally:
        await admin.close()


ORIGINAL_HEADERS = [
    ("content-type", b"application/json"),
    ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ("correlation_id", b"c0ffee"),
]


async def dead_letter(producer: AIOKafkaProducer, topics: Topics, key: bytes, value: bytes) -> Any:
    """Publish to the original topic, then dead-letter that record the way DeadLetters does."""
    meta = await producer.send_and_wait(topics.original, value=value, key=key, headers=ORIGINAL_HEADERS)
    headers = [
        *ORIGINAL_HEADERS,
        ("x-dlq-original-topic", topics.original.encode()),
        ("x-dlq-original-partition", str(meta.partition).encode()),
        ("x-dlq-original-offset", str(meta.offset).encode()),
        ("x-dlq-consumer", b"tracking"),
        ("x-dlq-reason", b"contract_violation"),
        ("x-dlq-error", b"1 validation error for FixAccepted"),
        ("x-dlq-error-type", b"ValidationError"),
        ("x-dlq-failed-at", b"2025-01-01T00:00:00+00:00"),
    ]
    await producer.send_and_wait(topics.dlq, value=value, key=key, headers=headers)
    return meta


def is_replay_of(key: bytes, original: Any) -> Callable[[ConsumerRecord], bool]:
    """The copy of `original` that the replay published (not `original` itself)."""
    return lambda r: r.key == key and (r.partition, r.offset) != (original.partition, original.offset)


@pytest.mark.integration
async def test_replay_republishes_with_key_and_original_headers_once(
    infra: Infra, kafka_producer: AIOKafkaProducer, topics: Topics
) -> None:
    first = await dead_letter(kafka_producer, topics, b"veh-1", b'{"bad": 1}')
    second = await dead_letter(kafka_producer, topics, b"veh-2", b'{"bad": 2}')
    await kafka_producer.send_and_wait(topics.dlq, value=b"?", key=b"veh-3", headers=[("x-dlq-reason", b"?")])
    lines: list[str] = []

    result = await replay_dlq(infra.kafka, topics.dlq, out=lines.append)

    assert (result.replayed, result.skipped) == (2, 1)
    assert lines[-1] == "replayed 2, skipped 1"
    for key, value, original in ((b"veh-1", b'{"bad": 1}', first), (b"veh-2", b'{"bad": 2}', second)):
        replayed = await find_record(infra.kafka, topics.original, is_replay_of(key, original))
        assert replayed.value == value
        assert replayed.partition == original.partition  # same key, same partition
        assert list(replayed.headers) == ORIGINAL_HEADERS
        assert not any(name.startswith("x-dlq-") for name, _ in replayed.headers)

    again = await replay_dlq(infra.kafka, topics.dlq, out=lines.append)

    assert (again.replayed, again.skipped) == (0, 0)
    assert lines[-1] == "replayed 0, skipped 0"


@pytest.mark.integration
async def test_dry_run_commits_nothing_and_max_leaves_the_rest(
    infra: Infra, kafka_producer: AIOKafkaProducer, topics: Topics
) -> None:
    for n in range(3):
        await dead_letter(kafka_producer, topics, f"veh-{n}".encode(), b"{}")
    lines: list[str] = []

    dry = await replay_dlq(infra.kafka, topics.dlq, dry_run=True, out=lines.append)

    assert (dry.replayed, dry.skipped, dry.would_replay) == (0, 0, 3)
    assert f"@0 -> {topics.original} key=veh-0 reason=contract_violation" in lines[0]

    assert (await replay_dlq(infra.kafka, topics.dlq, max_records=2, out=lines.append)).replayed == 2
    assert (await replay_dlq(infra.kafka, topics.dlq, out=lines.append)).replayed == 1
    assert (await replay_dlq(infra.kafka, topics.dlq, out=lines.append)).replayed == 0


@pytest.mark.integration
async def test_a_missing_target_topic_stops_the_replay_without_committing_it(
    infra: Infra, kafka_producer: AIOKafkaProducer, topics: Topics
) -> None:
    gone = f"devtools-it.gone.{uuid.uuid4().hex[:8]}"
    await kafka_producer.send_and_wait(
        topics.dlq, value=b"{}", key=b"k", headers=[("x-dlq-original-topic", gone.encode())]
    )

    with pytest.raises(ReplayError, match="does not exist"):
        await replay_dlq(infra.kafka, topics.dlq, out=lambda _: None)
    dry = await replay_dlq(infra.kafka, topics.dlq, dry_run=True, out=lambda _: None)
    assert dry.would_replay == 1  # still there for the next run


@pytest.mark.integration
async def test_a_record_for_a_compacted_topic_stops_the_replay_unless_allowed(
    infra: Infra, kafka_producer: AIOKafkaProducer, topics: Topics
) -> None:
    await kafka_producer.send_and_wait(
        topics.dlq, value=b"{}", key=b"truck-1", headers=[("x-dlq-original-topic", b"fleet.vehicles.v1")]
    )

    with pytest.raises(ReplayError, match="compacted"):
        await replay_dlq(infra.kafka, topics.dlq, out=lambda _: None)
    dry = await replay_dlq(infra.kafka, topics.dlq, dry_run=True, out=lambda _: None)
    assert dry.would_replay == 1, "still there, for a deliberate --allow-compacted run"


async def run_cli(infra: Infra, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "coldchain_devtools",
        "replay-dlq",
        *args,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": infra.kafka},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.integration
async def test_the_cli_command(infra: Infra, kafka_producer: AIOKafkaProducer, topics: Topics) -> None:
    await dead_letter(kafka_producer, topics, b"veh-1", b"{}")

    code, out, err = await run_cli(infra, topics.dlq, "--dry-run")
    assert code == 0, err
    assert f"-> {topics.original} key=veh-1 reason=contract_violation" in out
    assert out.splitlines()[-1].startswith("replayed 0, skipped 0 (dry run: 1 would be replayed")

    code, out, err = await run_cli(infra, topics.dlq, "--max", "5")
    assert code == 0, err
    assert out.splitlines()[-1] == "replayed 1, skipped 0"

    code, _, err = await run_cli(infra, topics.dlq + ".nope")
    assert code == 1
    assert "does not exist" in err
