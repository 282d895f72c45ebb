"""Replay a dead-letter topic onto the topics its records came from.

    python -m coldchain_devtools replay-dlq <dlq-topic> [--dry-run] [--max N]

Reads `<dlq-topic>` with the consumer group `dlq-replay.<dlq-topic>` (from the beginning
the first time, so a later run only replays what arrived since) and re-publishes each
record's value, key and original headers -- every `x-dlq-*` header dropped -- to the
topic named in its `x-dlq-original-topic` header. The key is kept, so the default
partitioner puts it on the partition its entity lives on. The producer is idempotent
with `acks=all`, and DLQ offsets are committed only after the re-publish was
acknowledged: a crash replays a record twice at worst, never loses it.

Records without `x-dlq-original-topic` (or pointing back at the DLQ itself) are
skipped, counted and committed. A record bound for a compacted topic (reference data
such as `fleet.vehicles.v1`) stops the run unless `--allow-compacted` is given: there
an old record would become the latest value of its key. `--dry-run` prints what would be replayed and commits
nothing. The run stops at the end offsets that existed when it started, so it
terminates even while new failures keep arriving, and prints `replayed N, skipped M`.
`--max N` handles at most N records (replayed or skipped) and leaves the rest for the
next run. Do not run two replays of the same DLQ at once: partitions are assigned
manually, so they would both replay the same records.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from coldchain_contracts.topics import REGISTRY
from coldchain_devtools.topics import TopicSetupError, partition_counts
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import kafka_client_options

DLQ_HEADER_PREFIX = "x-dlq-"
ORIGINAL_TOPIC_HEADER = "x-dlq-original-topic"
REASON_HEADER = "x-dlq-reason"
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"
# Replaying onto a compacted topic can make an old value the latest one: refused by default.
COMPACTED_TOPICS = frozenset(t.name for t in REGISTRY if t.cleanup_policy == "compact")

Headers = Sequence[tuple[str, bytes]]


class ReplayError(RuntimeError):
    """The replay cannot go on; what was acknowledged so far is committed."""


# --------------------------------------------------------------------------- decisions


def consumer_group(dlq: str) -> str:
    return f"dlq-replay.{dlq}"


def header_value(headers: Headers, name: str) -> str | None:
    """The last value of header `name`, decoded; None when absent."""
    found: str | None = None
    for key, value in headers:
        if key == name:
            found = (value or b"").decode("utf-8", "replace")
    return found


def is_dlq_header(name: str) -> bool:
    return name.lower().startswith(DLQ_HEADER_PREFIX)


def replay_headers(headers: Headers) -> list[tuple[str, bytes]]:
    """The original headers: everything but `x-dlq-*`, in their order."""
    return [(key, value) for key, value in headers if not is_dlq_header(key)]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one dead-lettered record: replay to `target`, or skip because of `skip_reason`."""

    target: str | None
    skip_reason: str | None = None


def decide(dlq: str, headers: Headers) -> Decision:
    target = (header_value(headers, ORIGINAL_TOPIC_HEADER) or "").strip()
    if not target:
        return Decision(None, f"no {ORIGINAL_TOPIC_HEADER} header")
    if target == dlq:
        return Decision(None, f"{ORIGINAL_TOPIC_HEADER} names the dead-letter topic itself")
    return Decision(target)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    replayed: int
    skipped: int
    would_replay: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        line = f"replayed {self.replayed}, skipped {self.skipped}"
        if self.dry_run:
            line += f" (dry run: {self.would_replay} would be replayed, nothing committed)"
        return line


def _show_key(key: bytes | None) -> str:
    return "-" if key is None else key.decode("utf-8", "replace")


# --------------------------------------------------------------------------- the run


async def _assign_all(consumer: Any, admin: Any, dlq: str) -> dict[Any, int]:
    """Assign every partition of `dlq`; returns their end offsets as of now."""
    if dlq not in await admin.list_topics():
        raise ReplayError(f"topic {dlq!r} does not exist")
    try:
        count = (await partition_counts(admin, [dlq]))[dlq]
    except TopicSetupError as exc:
        raise ReplayError(str(exc)) from exc
    tps = [TopicPartition(dlq, p) for p in range(count)]
    consumer.assign(tps)
    ends: dict[Any, int] = await consumer.end_offsets(tps)
    return ends


async def replay_dlq(
    bootstrap: str,
    dlq: str,
    *,
    dry_run: bool = False,
    allow_compacted: bool = False,
    max_records: int | None = None,
    idle_timeout_s: float = 30.0,
    out: Callable[[str], None] = print,
    kafka_options: Mapping[str, Any] | None = None,
) -> ReplayResult:
    """Replay `dlq` up to its end offsets as of now (see the module doc).

    `kafka_options`: TLS/SASL (`transport_security.kafka_client_options`)."""
    options = dict(kafka_options or {})
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=consumer_group(dlq),
        client_id="coldchain-dlq-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **options,
    )
    producer = (
        None
        if dry_run
        else AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            client_id="coldchain-dlq-replay",
            acks="all",
            enable_idempotence=True,
            **options,
        )
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="coldchain-dlq-replay", **options)
    counts = {"replayed": 0, "skipped": 0, "would_replay": 0}
    await admin.start()
    try:
        await consumer.start()
        if producer is not None:
            await producer.start()
        ends = await _assign_all(consumer, admin, dlq)
        known_topics: set[str] = set(await admin.list_topics())
        remaining = {tp for tp, end in ends.items() if await consumer.position(tp) < end}
        budget = max_records
        last_progress = time.monotonic()
        while remaining and (budget is None or budget > 0):
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            if not batches and time.monotonic() - last_progress > idle_timeout_s:
                behind = ", ".join(f"{tp.topic}[{tp.partition}] (end {ends[tp]})" for tp in remaining)
                raise ReplayError(f"no records for {idle_timeout_s:.0f}s while still behind on {behind}")
            for tp, records in batches.items():
                # (offset, what was done, pending ack of a re-publish), in DLQ order
                handled: list[tuple[int, str, Any]] = []
                failure: ReplayError | None = None
                for record in records:
                    if record.offset >= ends[tp] or (budget is not None and budget <= 0):
                        break
                    headers = list(record.headers or ())
                    decision = decide(dlq, headers)
                    where = f"{tp.topic}[{tp.partition}]@{record.offset}"
                    if decision.target is None:
                        out(f"skip {where}: {decision.skip_reason}")
                        handled.append((record.offset, "skipped", None))
                    elif dry_run:
                        reason = header_value(headers, REASON_HEADER) or "-"
                        out(
                            f"would replay {where} -> {decision.target} "
                            f"key={_show_key(record.key)} reason={reason}"
                        )
                        handled.append((record.offset, "would_replay", None))
                    elif decision.target in COMPACTED_TOPICS and not allow_compacted:
                        failure = ReplayError(
                            f"{where}: target {decision.target!r} is compacted: a replayed old record would "
                            "become the latest value of its key; have the owner publish the current value "
                            "instead, or pass --allow-compacted"
                        )
                        break
                    else:
                        assert producer is not None
                        if decision.target not in known_topics:
                            known_topics = set(await admin.list_topics())
                        if decision.target not in known_topics:
                            failure = ReplayError(f"{where}: target topic {decision.target!r} does not exist")
                            break
                        try:
                            ack = await producer.send(
                                decision.target,
                                value=record.value,
                                key=record.key,
                                headers=replay_headers(headers),
                            )
                        except KafkaError as exc:
                            failure = ReplayError(
                                f"{where}: publishing to {decision.target!r} failed: {exc!r}"
                            )
                            failure.__cause__ = exc
                            break
                        handled.append((record.offset, "replayed", ack))
                    if budget is not None:
                        budget -= 1
                # Commit only the prefix whose re-publishes were all acknowledged.
                done_through: int | None = None
                for offset, outcome, ack in handled:
                    if ack is not None:
                        try:
                            await ack
                        except KafkaError as exc:
                            failure = ReplayError(
                                f"{tp.topic}[{tp.partition}]@{offset}: re-publish not acknowledged: {exc!r}"
                            )
                            failure.__cause__ = exc
                            break
                    counts[outcome] += 1
                    done_through = offset
                if done_through is not None:
                    last_progress = time.monotonic()
                    if not dry_run:
                        await consumer.commit({tp: done_through + 1})
                if failure is not None:
                    raise failure
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        if producer is not None:
            await producer.stop()
        await consumer.stop()
        await admin.close()
    result = ReplayResult(counts["replayed"], counts["skipped"], counts["would_replay"], dry_run)
    out(result.summary())
    return result


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m coldchain_devtools replay-dlq",
        description="Re-publish a dead-letter topic's records to their original topics.",
    )
    parser.add_argument("dlq_topic", help="the dead-letter topic, e.g. telemetry.gps.v1.tracking.dlq")
    parser.add_argument("--dry-run", action="store_true", help="print what would be replayed, commit nothing")
    parser.add_argument("--max", type=int, default=None, metavar="N", help="handle at most N records")
    parser.add_argument(
        "--allow-compacted",
        action="store_true",
        help="also replay onto compacted topics (an old record becomes the latest value of its key)",
    )
    args = parser.parse_args(argv)
    if args.max is not None and args.max < 0:
        parser.error("--max must be >= 0")
    settings = ServiceSettings(
        KAFKA_BOOTSTRAP_SERVERS=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP)
    )
    try:
        asyncio.run(
            replay_dlq(
                settings.kafka_bootstrap_servers,
                args.dlq_topic,
                dry_run=args.dry_run,
                allow_compacted=args.allow_compacted,
                max_records=args.max,
                kafka_options=kafka_client_options(settings),
            )
        )
    except ReplayError as exc:
        raise SystemExit(f"replay-dlq: {exc}") from exc


if __name__ == "__main__":
    main()
