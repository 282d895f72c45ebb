"""Create every topic in the contracts registry (and its dead-letter topics).

Idempotent: existing topics are left alone; a partition-count mismatch is reported,
not "fixed", since shrinking or growing a keyed topic reorders entities.
"""

from __future__ import annotations

import asyncio
import os

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from coldchain_contracts.topics import REGISTRY, dlq_topic


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
            topic_configs={"cleanup.policy": "delete"},
        )
        for t in REGISTRY
        for c in t.consumers
    ]
    return topics


async def ensure_topics(bootstrap: str, replication: int = 1) -> list[str]:
    """Create the missing topics; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="coldchain-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in desired_topics(replication) if t.name not in existing]
        if missing:
            await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def main() -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    replication = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))
    created = asyncio.run(ensure_topics(bootstrap, replication))
    print(f"topics: {len(created)} created, {len(desired_topics(replication)) - len(created)} already there")


if __name__ == "__main__":
    main()
