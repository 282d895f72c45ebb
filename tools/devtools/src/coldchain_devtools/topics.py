"""Create every topic in the contracts registry (and its dead-letter topics).

Idempotent: existing topics are left alone. An existing topic whose partition count or
cleanup.policy differs from the registry is reported (a warning line on stderr, and in
the returned report), never "fixed": growing or shrinking a keyed topic reorders
entities, and flipping a compacted topic to delete (or back) loses or keeps history
that consumers rely on. Any per-topic error from CreateTopics other than "already
exists" raises `TopicSetupError` naming the topic.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    LeaderNotAvailableError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
    for_code,
)

from coldchain_contracts.topics import REGISTRY, dlq_topic
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import kafka_client_options

CLEANUP_POLICY = "cleanup.policy"


class TopicSetupError(RuntimeError):
    """Kafka refused to create or describe a topic."""


@dataclass(frozen=True, slots=True)
class TopicMismatch:
    """An existing topic whose setting differs from what the registry asks for."""

    topic: str
    setting: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return (
            f"topic {self.topic}: {self.setting} is {self.actual}, registry says {self.expected} "
            "(left as is; change it deliberately)"
        )


@dataclass(frozen=True, slots=True)
class TopicsReport:
    created: list[str]
    existing: list[str]
    mismatches: list[TopicMismatch] = field(default_factory=list)


def desired_topics(replication: int) -> list[NewTopic]:
    topics = [
        NewTopic(
            t.name, num_partitions=t.partitions, replication_factor=replication, topic_configs=t.config()
        )
        for t in REGISTRY
    ]
    topics += [
        NewTopic(
            dlq_topic(t.name, c),
            num_partitions=1,
            replication_factor=replication,
            topic_configs={CLEANUP_POLICY: "delete"},
        )
        for t in REGISTRY
        for c in t.consumers
    ]
    return topics


def _error_name(code: int) -> str:
    return str(for_code(code).message)


def creation_outcome(topic_errors: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """Split a CreateTopics response's `topic_errors` into (created, already existing).

    Raises `TopicSetupError` naming every topic that failed for any other reason.
    """
    created: list[str] = []
    existed: list[str] = []
    failures: list[str] = []
    for entry in topic_errors:
        name, code = str(entry["topic"]), int(entry["error_code"])
        if code == 0:
            created.append(name)
        elif code == TopicAlreadyExistsError.errno:
            existed.append(name)
        else:
            detail = entry.get("error_message") or ""
            failures.append(f"{name}: {_error_name(code)} ({code}){': ' + detail if detail else ''}")
    if failures:
        raise TopicSetupError("could not create topic(s): " + "; ".join(failures))
    return created, existed


def _normalise_policy(policy: str) -> str:
    return ",".join(sorted(p.strip() for p in policy.split(",") if p.strip()))


def compare_topic(wanted: NewTopic, partitions: int, cleanup_policy: str | None) -> list[TopicMismatch]:
    """What differs between the registry's `wanted` topic and the one found on the broker."""
    found: list[TopicMismatch] = []
    if partitions != wanted.num_partitions:
        found.append(TopicMismatch(wanted.name, "partitions", str(wanted.num_partitions), str(partitions)))
    expected_policy = wanted.topic_configs.get(CLEANUP_POLICY)
    if (
        expected_policy is not None
        and cleanup_policy is not None
        and _normalise_policy(cleanup_policy) != _normalise_policy(expected_policy)
    ):
        found.append(TopicMismatch(wanted.name, CLEANUP_POLICY, expected_policy, cleanup_policy))
    return found


# Right after a topic is created, a broker may list it but not describe it yet.
_SETTLING = (UnknownTopicOrPartitionError.errno, LeaderNotAvailableError.errno)


async def partition_counts(admin: Any, names: Sequence[str], settle_s: float = 10.0) -> dict[str, int]:
    """Partition count of each of the (existing, listed) topics `names`.

    Retries briefly while the broker's metadata catches up with a just-created topic;
    raises `TopicSetupError` for any other error, or when it does not settle.
    """
    deadline = time.monotonic() + settle_s
    while True:
        counts: dict[str, int] = {}
        settling: list[str] = []
        for meta in await admin.describe_topics(list(names)):
            name, code = str(meta["topic"]), int(meta["error_code"])
            if code == 0:
                counts[name] = len(meta["partitions"])
            elif code in _SETTLING and time.monotonic() < deadline:
                settling.append(name)
            else:
                raise TopicSetupError(f"could not describe topic {name}: {_error_name(code)} ({code})")
        if not settling:
            return counts
        await asyncio.sleep(0.2)


async def _describe(admin: Any, names: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Partition counts and cleanup policies of existing topics."""
    partitions = await partition_counts(admin, names)
    policies: dict[str, str] = {}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, {CLEANUP_POLICY: None}) for name in names]
    )
    for response in responses:
        for resource in response.to_object()["resources"]:
            code = int(resource["error_code"])
            if code != 0:
                raise TopicSetupError(
                    f"could not describe the configs of topic {resource['resource_name']}: "
                    f"{_error_name(code)} ({code})"
                )
            for entry in resource["config_entries"]:
                if entry["config_names"] == CLEANUP_POLICY:
                    policies[str(resource["resource_name"])] = str(entry["config_value"])
    return partitions, policies


async def ensure_topics_report(
    bootstrap: str,
    replication: int = 1,
    topics: Sequence[NewTopic] | None = None,
    kafka_options: Mapping[str, Any] | None = None,
) -> TopicsReport:
    """Create the missing `topics` (default: the registry's), check the existing ones.

    Prints one warning line per mismatch on stderr and returns them in the report.
    `kafka_options`: TLS/SASL (`transport_security.kafka_client_options`).
    """
    wanted = list(topics) if topics is not None else desired_topics(replication)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="coldchain-topics", **(kafka_options or {})
    )
    await admin.start()
    try:
        listed = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in listed]
        created: list[str] = []
        if missing:
            response = await admin.create_topics(missing)
            created, raced = creation_outcome(response.to_object()["topic_errors"])
            listed.update(raced)  # created meanwhile by someone else: check it like the others
        existing = [t for t in wanted if t.name in listed]
        mismatches: list[TopicMismatch] = []
        if existing:
            partitions, policies = await _describe(admin, [t.name for t in existing])
            for t in existing:
                if t.name not in partitions:
                    raise TopicSetupError(f"topic {t.name} is listed but could not be described")
                mismatches += compare_topic(t, partitions[t.name], policies.get(t.name))
    finally:
        await admin.close()
    for mismatch in mismatches:
        print(f"warning: {mismatch}", file=sys.stderr, flush=True)
    return TopicsReport(created=created, existing=[t.name for t in existing], mismatches=mismatches)


async def ensure_topics(bootstrap: str, replication: int = 1) -> list[str]:
    """Create the missing registry topics; returns the names created (mismatches are warned about)."""
    return (await ensure_topics_report(bootstrap, replication)).created


def main() -> None:
    # The shared infrastructure settings (KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, ...).
    settings = ServiceSettings()
    replication = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))
    try:
        report = asyncio.run(
            ensure_topics_report(
                settings.kafka_bootstrap_servers,
                replication,
                kafka_options=kafka_client_options(settings),
            )
        )
    except TopicSetupError as exc:
        raise SystemExit(f"topics: {exc}") from exc
    line = f"topics: {len(report.created)} created, {len(report.existing)} already there"
    if report.mismatches:
        line += f", {len(report.mismatches)} mismatch(es) with the registry (see warnings)"
    print(line)


if __name__ == "__main__":
    main()
