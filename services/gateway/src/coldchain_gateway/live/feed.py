"""Reads the live topics and hands each message to the hub.

Every gateway replica reads every partition of these topics itself (no consumer
group, starting at the latest offset): the feed is a broadcast, so any replica can
serve any client, and a replica that restarts simply resumes from now. Nothing is
committed because nothing here is state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter

from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS, ORDERS_EVENTS, TRACKING_EVENTS, VEHICLE_STATE
from coldchain_gateway.live.hub import LiveHub
from coldchain_gateway.live.subscription import Channel, LiveItem
from coldchain_servicekit.consumers import Record, records_of, undecoded

UNREADABLE = Counter(
    "gateway_live_unreadable_total", "Live-topic records that were not JSON objects", ["topic"]
)

# Tracking events that are alerts in the operator's sense; trips and stops are history.
ALERT_EVENT_TYPES = frozenset(
    {"ExcursionOpened", "ExcursionClosed", "AlertOpened", "AlertClosed", "GeofenceEntered", "GeofenceExited"}
)
DEFAULT_TOPICS: Mapping[str, Channel] = {
    VEHICLE_STATE.name: Channel.VEHICLE_STATE,
    TRACKING_EVENTS.name: Channel.ALERTS,
    DISPATCH_ASSIGNMENTS.name: Channel.ASSIGNMENTS,
    ORDERS_EVENTS.name: Channel.ORDERS,
}


def item_of(topic: str, key: str, raw: str, channel: Channel) -> LiveItem | None:
    """The fan-out item for one record, or None when it is not for the feed."""
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        UNREADABLE.labels(topic).inc()
        return None
    if channel is Channel.ALERTS and body.get("event_type") not in ALERT_EVENT_TYPES:
        return None
    vehicle = body.get("vehicle_id")
    lat, lon = body.get("latitude"), body.get("longitude")
    position = (
        (float(lat), float(lon)) if isinstance(lat, int | float) and isinstance(lon, int | float) else None
    )
    # The record is JSON already: wrap it without decoding and re-encoding it per client.
    text = f'{{"type":"event","channel":"{channel.value}","key":{json.dumps(key)},"data":{raw}}}'
    return LiveItem(
        channel=channel,
        key=key,
        text=text,
        vehicle_ids=frozenset({vehicle}) if isinstance(vehicle, str) else frozenset(),
        position=position,
    )


def dispatch_records(
    hub: LiveHub, records: list[Record], topics: Mapping[str, Channel] = DEFAULT_TOPICS
) -> None:
    for record in records:
        if record.value is None:  # compaction tombstone
            continue
        channel = topics.get(record.topic)
        if channel is None:
            continue
        key = record.key.decode() if record.key else ""
        item = item_of(record.topic, key, record.value.decode(errors="replace"), channel)
        if item is not None:
            hub.publish(item)


def register(
    broker: KafkaBroker, hub: LiveHub, poll_timeout_ms: int, topics: Mapping[str, Channel] = DEFAULT_TOPICS
) -> None:
    @broker.subscriber(
        *list(topics),
        batch=True,
        max_records=500,  # a batch is handled without yielding: bounded so reads are not held up
        batch_timeout_ms=poll_timeout_ms,
        decoder=undecoded,  # handled as raw records
        auto_offset_reset="latest",
        ack_policy=AckPolicy.MANUAL,  # nothing to commit: no group, no state
    )
    async def on_live(msg: KafkaMessage) -> None:
        if len(hub):  # nobody listening: not even worth decoding
            dispatch_records(hub, records_of(msg.raw_message), topics)
