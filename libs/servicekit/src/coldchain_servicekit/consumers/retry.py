"""Backoff for transient failures, counted per partition head."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from coldchain_servicekit.consumers.records import Record
from coldchain_servicekit.settings import ServiceSettings


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
