"""`make bench-notify`: notifications per minute to a webhook receiver that fails half its
calls, event-to-receipt latency, and whether any is lost.

The notify service runs as a process (its own consumer group, on the bench's own Kafka and
PostgreSQL); this script hosts the receiver (`coldchain_devtools.notify_sinks`, answering
HTTP 500 to a random half of the calls), configures a webhook channel and a rule through
notify's API, and publishes `ExcursionOpened` events on `tracking.events.v1` at a steady
rate (a component benchmark: the event source is tracking's topic, not fixes). Latency is
from the moment an event is handed to Kafka to the receiver's first 2xx answer for it;
lost is an event never accepted by the end of the drain time. Ends with `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from benchsystem import Infra, log, log_dir

from coldchain_contracts import ExcursionOpened, TemperatureZone
from coldchain_contracts.topics import TRACKING_EVENTS, dlq_topic
from coldchain_devtools.notify_sinks import WebhookReceiver, body_json
from coldchain_devtools.processes import start_module, stop_all, wait_ready
from coldchain_devtools.testing import free_port
from coldchain_devtools.topics import ensure_topics
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

AUTH = {"Authorization": f"Bearer {DEV_INTERNAL_TOKEN}"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def configure(api: httpx.AsyncClient, tag: str, receiver: WebhookReceiver, vehicles: list[str]) -> None:
    body = {"kind": "webhook", "name": "bench", "url": receiver.url}
    channel = await api.put(f"/v1/notification-channels/bench-{tag}", json=body)
    channel.raise_for_status()
    receiver.secrets.append(channel.json()["secret"])  # the receiver verifies every signature
    rule = {
        "name": "bench",
        "event_types": ["excursion_opened"],
        "vehicle_ids": vehicles,
        "recipients": [f"bench-{tag}"],
    }
    (await api.put(f"/v1/notification-rules/bench-{tag}", json=rule)).raise_for_status()


async def publish(
    producer: AIOKafkaProducer, vehicles: list[str], count: int, per_minute: float
) -> dict[str, float]:
    """Events at a steady pace; returns event id -> wall time it was acknowledged by Kafka."""
    sent: dict[str, float] = {}
    interval = 60.0 / per_minute
    start = time.monotonic()
    for i in range(count):
        await asyncio.sleep(max(0.0, start + i * interval - time.monotonic()))
        now = datetime.now(UTC)
        vehicle = vehicles[i % len(vehicles)]
        event = ExcursionOpened(
            vehicle_id=vehicle,
            at=now,
            excursion_id=uuid.uuid4(),
            channel="A",
            zone=TemperatureZone.CHILLED,
            band_low_celsius=0.0,
            band_high_celsius=5.0,
            started_at=now - timedelta(minutes=5),
            celsius=9.0,
            producer="bench",
        )
        await producer.send_and_wait(
            TRACKING_EVENTS.name, event.model_dump_json().encode(), key=vehicle.encode()
        )
        sent[str(event.event_id)] = time.time()
    return sent


async def run(args: argparse.Namespace) -> dict[str, object]:
    infra = Infra.from_env()
    await ensure_topics(infra.kafka)
    tag = uuid.uuid4().hex[:8]
    group = f"notify-bench-{tag}"
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(dlq_topic(TRACKING_EVENTS.name, group), 1, 1)])
    receiver = WebhookReceiver(fail_ratio=args.fail_ratio)
    await receiver.start()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
        "COLDCHAIN_INTERNAL_TOKEN": DEV_INTERNAL_TOKEN,
        "NOTIFY_SERVICE_NAME": group,
        "NOTIFY_HTTP_PORT": str(port),
        "NOTIFY_RETRY_BASE_S": str(args.retry_base_s),
        "NOTIFY_MAX_ATTEMPTS": str(args.max_attempts),
    }
    logs = log_dir()
    proc = start_module("coldchain_notify", env=env, log_path=logs / "notify.log")
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        await asyncio.to_thread(wait_ready, "notify", port, proc, logs / "notify.log", 120)
        vehicles = [f"bench-{tag}-{i:03d}" for i in range(args.vehicles)]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=AUTH, timeout=30) as api:
            await configure(api, tag, receiver, vehicles)
            log(
                f"notify up; publishing {args.events} events at {args.per_minute:.0f}/min, receiver fails {args.fail_ratio:.0%}"
            )
            started = time.monotonic()
            sent = await publish(producer, vehicles, args.events, args.per_minute)
            published_s = time.monotonic() - started
            deadline = time.monotonic() + args.drain_s
            accepted: set[str] = set()
            seen = 0
            while time.monotonic() < deadline:
                # Only the calls that arrived since the last look: parsing them all each time
                # would starve the receiver, which shares this event loop.
                calls = receiver.calls[seen:]
                seen += len(calls)
                accepted.update(body_json(c)["event_id"] for c in calls if c.answered == 204)
                if sent.keys() <= accepted:
                    break
                await asyncio.sleep(0.2)
            done_s = time.monotonic() - started
            log_rows = (
                await api.get(f"/v1/notification-channels/bench-{tag}/deliveries", params={"limit": 500})
            ).json()
    finally:
        await producer.stop()
        stop_all({"notify": proc})
        await receiver.stop()
        await admin.delete_topics([dlq_topic(TRACKING_EVENTS.name, group)])
        await admin.close()
    first_ok: dict[str, float] = {}
    for call in receiver.accepted():
        event_id = body_json(call)["event_id"]
        first_ok.setdefault(event_id, call.received_at)
    latencies = [first_ok[e] - t for e, t in sent.items() if e in first_ok]
    per_event = [sum(1 for c in receiver.calls if body_json(c)["event_id"] == e) for e in list(sent)[:200]]
    return {
        "events": len(sent),
        "delivered": len(latencies),
        "lost": len(sent) - len(latencies),
        "duplicates": len(receiver.accepted()) - len(first_ok),
        "receiver_calls": len(receiver.calls),
        "receiver_failed": len(receiver.calls) - len(receiver.accepted()),
        "unverified_calls": sum(1 for c in receiver.calls if not c.verified),
        "publish_rate_per_min": round(len(sent) / published_s * 60, 1),
        "delivered_per_min": round(len(latencies) / max(done_s, published_s) * 60, 1),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "latency_p99_s": round(percentile(latencies, 0.99), 3) if latencies else None,
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "mean_calls_per_event": round(statistics.mean(per_event), 2) if per_event else None,
        "log_rows_checked": len(log_rows.get("deliveries", [])),
        "fail_ratio": args.fail_ratio,
        "retry_base_s": args.retry_base_s,
        "max_attempts": args.max_attempts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--per-minute", type=float, default=1000.0)
    parser.add_argument("--vehicles", type=int, default=50)
    parser.add_argument("--fail-ratio", type=float, default=0.5)
    parser.add_argument("--retry-base-s", type=float, default=0.25, help="NOTIFY_RETRY_BASE_S for the run")
    parser.add_argument("--max-attempts", type=int, default=20, help="NOTIFY_MAX_ATTEMPTS for the run")
    parser.add_argument("--drain-s", type=float, default=120.0, help="wait this long after the last event")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    for key, value in result.items():
        print(f"  {key:22s} {value}")
    print("RESULT " + json.dumps({"bench": "notify", **result}))


if __name__ == "__main__":
    main()
