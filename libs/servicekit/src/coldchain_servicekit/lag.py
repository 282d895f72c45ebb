"""Consumer lag per (group, topic), sampled from this replica's own Kafka consumers.

Lag is the broker's high watermark minus this consumer's next fetch position, summed over
the partitions this replica holds; Prometheus sums replicas into the group's lag. It is
what ECS autoscaling and the `ConsumerLagGrowing` alert read (docs/deploy.md). Sampling
reads what aiokafka already knows from its last fetch, so it costs no broker round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import Gauge

from coldchain_servicekit.periodic import Periodic

CONSUMER_LAG = Gauge(
    "coldchain_consumer_lag",
    "Records behind the high watermark on the partitions this replica consumes",
    ["group", "topic"],
)
SAMPLE_EVERY_S = 10.0


async def _partition_lag(consumer: Any, tp: Any) -> int | None:
    highwater = consumer.highwater(tp)
    if highwater is None:  # nothing fetched from this partition yet
        return None
    with contextlib.suppress(Exception):  # a partition revoked meanwhile: skip it this round
        position = await asyncio.wait_for(consumer.position(tp), 1.0)
        return max(0, int(highwater) - int(position))
    return None


async def sample(broker: KafkaBroker) -> dict[tuple[str, str], int]:
    """Lag per (group, topic) over the partitions assigned to this process's consumers."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        group = getattr(subscriber, "group_id", None)
        if consumer is None or not group:
            continue
        for tp in consumer.assignment():
            lag = await _partition_lag(consumer, tp)
            if lag is not None:
                totals[(str(group), tp.topic)] += lag
    return dict(totals)


def lag_sampler(broker: KafkaBroker) -> Periodic:
    async def update() -> None:
        totals = await sample(broker)
        CONSUMER_LAG.clear()  # partitions revoked in a rebalance must stop being reported
        for (group, topic), lag in totals.items():
            CONSUMER_LAG.labels(group=group, topic=topic).set(lag)

    return Periodic("consumer-lag", update, SAMPLE_EVERY_S)
