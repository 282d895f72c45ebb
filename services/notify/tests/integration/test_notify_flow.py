"""Notify in-process on real Kafka and PostgreSQL, delivering to a real HTTP receiver and a
real SMTP server (aiosmtpd). Tracking events are published on `tracking.events.v1`
directly (this is the service's own test; tests/e2e drives the product's doors)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager

from coldchain_contracts import ExcursionOpened, TemperatureZone
from coldchain_contracts.topics import TRACKING_EVENTS, dlq_topic
from coldchain_devtools.notify_sinks import MailSink, WebhookReceiver, body_json
from coldchain_devtools.testing import Infra, eventually, internal_auth
from coldchain_notify.app import create_app
from coldchain_notify.settings import NotifySettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def mail() -> AsyncIterator[MailSink]:
    sink = MailSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    await hook.start()
    yield hook
    await hook.stop()


@pytest.fixture(scope="module")
async def sms_gateway() -> AsyncIterator[WebhookReceiver]:
    gateway = WebhookReceiver(signed=False)
    await gateway.start()
    yield gateway
    await gateway.stop()


@pytest.fixture(scope="module")
async def notify(
    infra: Infra, test_database: str, kafka_topics: None, mail: MailSink, sms_gateway: WebhookReceiver
) -> AsyncIterator[httpx.AsyncClient]:
    group = f"notify-it-{uuid.uuid4().hex[:8]}"
    dlq = dlq_topic(TRACKING_EVENTS.name, group)
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(dlq, 1, 1)])
    settings = NotifySettings(
        service_name=group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        smtp_port=mail.port,
        sms_url=sms_gateway.url,
        sms_token="sms-token-for-tests",  # pragma: allowlist secret
        deliver_every_s=0.1,
        escalate_every_s=0.2,
        retry_base_s=0.1,
        retry_max_s=0.5,
        max_attempts=4,
        disable_after_failures=3,
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notify", headers=internal_auth()
        ) as client:
            yield client
    await admin.delete_topics([dlq])
    await admin.close()


@pytest.fixture(scope="module")
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=infra.kafka, acks="all", enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


def tag() -> str:
    return uuid.uuid4().hex[:8]


async def put(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], expect: int = 201
) -> dict[str, Any]:
    response = await client.put(path, json=body, params={"requested_by": "user:it"})
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def webhook(client: httpx.AsyncClient, receiver: WebhookReceiver, name: str) -> str:
    created = await put(
        client, f"/v1/notification-channels/{name}", {"kind": "webhook", "name": name, "url": receiver.url}
    )
    receiver.secrets.append(created["secret"])
    return name


async def excursion(producer: AIOKafkaProducer, vehicle: str, celsius: float = 12.0) -> uuid.UUID:
    now = datetime.now(UTC)
    event = ExcursionOpened(
        vehicle_id=vehicle,
        at=now,
        excursion_id=uuid.uuid4(),
        channel="A",
        zone=TemperatureZone.CHILLED,
        band_low_celsius=0.0,
        band_high_celsius=5.0,
        started_at=now - timedelta(minutes=5),
        celsius=celsius,
        producer="test",
    )
    await producer.send_and_wait(TRACKING_EVENTS.name, event.model_dump_json().encode(), key=vehicle.encode())
    return event.excursion_id


async def notifications(client: httpx.AsyncClient, alert: uuid.UUID) -> dict[str, Any]:
    response = await client.get(f"/v1/alerts/{alert}/notifications")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_excursion_reaches_a_signed_webhook_and_a_korean_email(
    notify: httpx.AsyncClient, receiver: WebhookReceiver, mail: MailSink, producer: AIOKafkaProducer
) -> None:
    t = tag()
    vehicle, address = f"truck-{t}", f"ops-{t}@example.com"
    hook = await webhook(notify, receiver, f"hook-{t}")
    await put(
        notify, f"/v1/notification-channels/mail-{t}", {"kind": "email", "name": "ops", "to": [address]}
    )
    for rule, recipient in ((f"r1-{t}", hook), (f"r2-{t}", f"mail-{t}")):
        body = {
            "name": rule,
            "event_types": ["excursion_opened"],
            "vehicle_ids": [vehicle],
            "recipients": [recipient],
        }
        await put(notify, f"/v1/notification-rules/{rule}", body)
    alert = await excursion(producer, vehicle)

    async def both() -> bool | None:
        return True if receiver.accepted() and mail.to(address) else None

    await eventually(both, timeout_s=30)
    [call] = receiver.calls
    assert call.verified
    assert call.headers["coldchain-event-type"] == "excursion_opened"
    payload = body_json(call)
    assert (payload["alert_id"], payload["vehicle_id"], payload["severity"]) == (
        str(alert),
        vehicle,
        "critical",
    )
    [message] = mail.to(address)
    assert "온도 이탈" in message["Subject"]
    assert vehicle in message.get_content()
    log = await notify.get(f"/v1/notification-channels/{hook}/deliveries")
    [delivery] = log.json()["deliveries"]
    assert (delivery["status"], delivery["last_status_code"], delivery["attempt_log"][0]["status_code"]) == (
        "delivered",
        204,
        204,
    )


async def test_a_failing_receiver_is_retried_with_backoff_and_every_attempt_is_logged(
    notify: httpx.AsyncClient, receiver: WebhookReceiver, producer: AIOKafkaProducer
) -> None:
    t = tag()
    hook = await webhook(notify, receiver, f"hook-{t}")
    rule = {
        "name": "r",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [f"truck-{t}"],
        "recipients": [hook],
    }
    await put(notify, f"/v1/notification-rules/r-{t}", rule)
    receiver.fail_next = 2
    await excursion(producer, f"truck-{t}")

    async def delivered() -> dict[str, Any] | None:
        [row] = (await notify.get(f"/v1/notification-channels/{hook}/deliveries")).json()["deliveries"] or [
            None
        ]
        return row if row and row["status"] == "delivered" else None

    row = await eventually(delivered, timeout_s=30)
    assert [a["status_code"] for a in row["attempt_log"]] == [500, 500, 204]
    assert (await notify.get(f"/v1/notification-channels/{hook}")).json()["consecutive_failures"] == 0


async def test_a_channel_failing_again_and_again_is_disabled(
    notify: httpx.AsyncClient, receiver: WebhookReceiver, producer: AIOKafkaProducer
) -> None:
    t = tag()
    hook = await webhook(notify, receiver, f"hook-{t}")
    rule = {
        "name": "r",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [f"truck-{t}"],
        "recipients": [hook],
    }
    await put(notify, f"/v1/notification-rules/r-{t}", rule)
    receiver.fail_ratio = 1.0
    await excursion(producer, f"truck-{t}")

    async def disabled() -> dict[str, Any] | None:
        channel: dict[str, Any] = (await notify.get(f"/v1/notification-channels/{hook}")).json()
        return None if channel["enabled"] else channel

    channel = await eventually(disabled, timeout_s=30)
    assert channel["disabled_reason"] == "disabled after 3 consecutive failed attempts"
    assert len(receiver.calls) == 3


async def test_unacknowledged_alerts_escalate_and_acknowledged_ones_do_not(
    notify: httpx.AsyncClient, receiver: WebhookReceiver, mail: MailSink, producer: AIOKafkaProducer
) -> None:
    t = tag()
    vehicle, manager = f"truck-{t}", f"manager-{t}@example.com"
    hook = await webhook(notify, receiver, f"hook-{t}")
    await put(
        notify,
        f"/v1/notification-channels/mgr-{t}",
        {"kind": "email", "name": "m", "to": [manager], "language": "en"},
    )
    rule = {
        "name": "r",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [vehicle],
        "recipients": [hook, f"mgr-{t}"],
        "escalate_after_minutes": 0.03,  # 1.8 s
    }
    await put(notify, f"/v1/notification-rules/r-{t}", rule)

    ignored = await excursion(producer, vehicle)
    messages = await eventually(lambda: _some(mail.to(manager)), timeout_s=30)
    assert "Escalated (step 1)" in messages[0].get_content()
    assert str(ignored) in messages[0].get_content()

    handled = await excursion(producer, vehicle)

    async def told_first() -> bool | None:
        return True if any(body_json(c)["alert_id"] == str(handled) for c in receiver.accepted()) else None

    await eventually(told_first, timeout_s=30)
    ack = await notify.post(
        f"/v1/alerts/{handled}/acknowledge", params={"requested_by": "user:kim"}, json={"note": "on it"}
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledgement"]["by"] == "user:kim"
    [incident] = ack.json()["incidents"]
    assert incident["next_escalation_at"] is None
    # Past the escalation time the escalator has run several rounds (every 0.2 s): nothing for it.
    await asyncio.sleep(3)
    state = await notifications(notify, handled)
    assert [d["step"] for d in state["deliveries"]] == [0]
    assert all(str(handled) not in m.get_content() for m in mail.to(manager))


async def test_a_rotated_secret_signs_alongside_the_old_one(
    notify: httpx.AsyncClient, receiver: WebhookReceiver, producer: AIOKafkaProducer
) -> None:
    t = tag()
    hook = await webhook(notify, receiver, f"hook-{t}")
    old = receiver.secrets[-1]
    rotated = await notify.post(f"/v1/notification-channels/{hook}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old
    rule = {
        "name": "r",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [f"truck-{t}"],
        "recipients": [hook],
    }
    await put(notify, f"/v1/notification-rules/r-{t}", rule)
    await excursion(producer, f"truck-{t}")
    await eventually(lambda: _some(receiver.accepted()), timeout_s=30)
    for secret, still_valid in ((new, True), (old, True), ("whsec_other", False)):
        receiver.secrets[:] = [secret]
        call = receiver.calls[0]
        from coldchain_notify.signing import verify

        ok = verify(
            call.headers["coldchain-signature"],
            call.headers["coldchain-timestamp"],
            call.body,
            secret,
            call.received_at,
        )
        assert ok is still_valid


async def test_bad_rules_are_422_problems_that_name_the_field(notify: httpx.AsyncClient) -> None:
    unknown = await notify.put(
        "/v1/notification-rules/bad", json={"name": "x", "event_types": ["offline"], "recipients": ["nope"]}
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "recipients"
    malformed = await notify.put(
        "/v1/notification-rules/bad", json={"name": "x", "event_types": ["teleported"], "recipients": ["a"]}
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["pointer"].startswith("/body/event_types")


async def _some(items: list[Any]) -> list[Any] | None:
    return items or None


async def test_an_sms_channel_posts_the_text_to_the_configured_gateway(
    notify: httpx.AsyncClient, sms_gateway: WebhookReceiver, producer: AIOKafkaProducer
) -> None:
    t = tag()
    channel = {"kind": "sms", "name": "driver", "to": ["+821012345678"], "language": "en"}
    await put(notify, f"/v1/notification-channels/sms-{t}", channel)
    rule = {
        "name": "r",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [f"truck-{t}"],
        "recipients": [f"sms-{t}"],
    }
    await put(notify, f"/v1/notification-rules/r-{t}", rule)
    await excursion(producer, f"truck-{t}")
    [call] = await eventually(lambda: _some(sms_gateway.accepted()), timeout_s=30)
    assert call.headers["authorization"] == "Bearer sms-token-for-tests"
    body = body_json(call)
    assert body["to"] == "+821012345678"
    assert body["text"].startswith("[Critical] Temperature excursion on truck-")
