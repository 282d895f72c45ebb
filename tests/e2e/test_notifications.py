"""Alerts that reach people, through the product's doors only.

An admin registers a dual-zone vehicle with its device (`/v1/fleet/vehicles`), a
dispatcher sets up a signed webhook, two e-mail channels and two rules
(`/v1/notification-channels`, `/v1/notification-rules`); the device's fixes, posted to the
gateway's telemetry API with both compartments out of band for longer than the grace
period (device time), make tracking open two excursions. Both reach the webhook (signed)
and the operations mailbox (Korean); the dispatcher acknowledges one
(`/v1/alerts/{id}/acknowledge`), the other escalates to the manager, the acknowledged one
does not.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from coldchain_devtools.notify_sinks import MailSink, WebhookReceiver, body_json
from coldchain_devtools.testing import RunningSystem, dev_admin_headers, dev_key_headers, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
async def gateway(running_system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running_system.url("gateway"), timeout=30) as client:
        yield client


@pytest.fixture
def mail(running_system: RunningSystem) -> Iterator[MailSink]:
    sink = MailSink(port=running_system.mail_port)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    await hook.start()
    yield hook
    await hook.stop()


async def dispatcher_headers(gateway: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    name, password = f"disp-{uuid.uuid4().hex[:8]}", "a long passphrase 42"
    body = {"username": name, "password": password, "role": "dispatcher"}
    assert (await gateway.post("/v1/admin/users", headers=admin, json=body)).status_code == 201
    login = await gateway.post(
        "/v1/auth/token", data={"grant_type": "password", "username": name, "password": password}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def put(
    gateway: httpx.AsyncClient, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await gateway.put(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def register_vehicle(gateway: httpx.AsyncClient, admin: dict[str, str], vid: str, device: str) -> None:
    vehicle = {
        "name": "Dual-zone reefer",
        "body_type": "dual",
        "compartments": [
            {"channel": "A", "zone": "chilled", "pallets": 8},
            {"channel": "B", "zone": "frozen", "pallets": 8},
        ],
        "weight_capacity_kg": 8000,
        "device_ids": [device],
    }
    await put(gateway, f"/v1/fleet/vehicles/{vid}", admin, vehicle)

    async def bound() -> bool | None:
        fix = {
            "device_id": device,
            "time": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "latitude": 37.27,
            "longitude": 127.05,
        }
        posted = await gateway.post("/v1/telemetry/gps", headers=dev_key_headers(), json={"fixes": [fix]})
        assert posted.status_code == 202, posted.text
        state = await gateway.get(f"/v1/vehicles/{vid}/state", headers=admin)
        return True if state.status_code == 200 else None

    await eventually(bound, timeout_s=30, interval_s=0.5)


async def post_out_of_band_fixes(gateway: httpx.AsyncClient, device: str) -> None:
    """Ten minutes of readings, chilled compartment at +12 °C and frozen at -10 °C: well past
    the 5-minute grace and tracking's 2-minute reorder buffer, both in device time."""
    now = datetime.now(UTC).replace(microsecond=0)
    fixes = [
        {
            "device_id": device,
            "time": (now - timedelta(seconds=600 - 20 * i)).isoformat(),
            "latitude": 37.27 + i * 0.0005,
            "longitude": 127.05,
            "speed_kmh": 30.0,
            "temperatures": [{"channel": "A", "celsius": 12.0}, {"channel": "B", "celsius": -10.0}],
        }
        for i in range(31)
    ]
    posted = await gateway.post("/v1/telemetry/gps", headers=dev_key_headers(), json={"fixes": fixes})
    assert posted.status_code == 202, posted.text


async def test_an_excursion_reaches_a_signed_webhook_and_email_and_acknowledging_stops_escalation(
    gateway: httpx.AsyncClient, running_system: RunningSystem, mail: MailSink, receiver: WebhookReceiver
) -> None:
    admin = await dev_admin_headers(running_system.url("gateway"))
    dispatcher = await dispatcher_headers(gateway, admin)
    t = uuid.uuid4().hex[:6]
    vid, device, ops, manager = f"reefer-{t}", f"dev-{t}", f"ops-{t}@example.com", f"mgr-{t}@example.com"
    await register_vehicle(gateway, admin, vid, device)

    hook = await put(
        gateway,
        f"/v1/notification-channels/hook-{t}",
        dispatcher,
        {"kind": "webhook", "name": "ops", "url": receiver.url},
    )
    receiver.secrets.append(hook["secret"])
    await put(
        gateway,
        f"/v1/notification-channels/ops-{t}",
        dispatcher,
        {"kind": "email", "name": "ops", "to": [ops]},
    )
    await put(
        gateway,
        f"/v1/notification-channels/mgr-{t}",
        dispatcher,
        {"kind": "email", "name": "manager", "to": [manager], "language": "en"},
    )
    refused = await gateway.put(
        f"/v1/notification-rules/bad-{t}",
        headers=dispatcher,
        json={"name": "x", "event_types": ["excursion_opened"], "recipients": ["nope"]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "recipients"
    escalating = {
        "name": "Excursions: webhook, then the manager",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [vid],
        "recipients": [f"hook-{t}", f"mgr-{t}"],
        "escalate_after_minutes": 0.2,  # 12 s: time to acknowledge the first
    }
    await put(gateway, f"/v1/notification-rules/esc-{t}", dispatcher, escalating)
    mailing = {
        "name": "Excursions by mail",
        "event_types": ["excursion_opened"],
        "vehicle_ids": [vid],
        "recipients": [f"ops-{t}"],
    }
    await put(gateway, f"/v1/notification-rules/mail-{t}", dispatcher, mailing)

    await post_out_of_band_fixes(gateway, device)

    async def both_told() -> dict[str, str] | None:
        # At-least-once: a retried call may arrive twice; count distinct alerts.
        by_channel = {body_json(c)["channel"]: body_json(c)["alert_id"] for c in receiver.accepted()}
        mailed = {m["X-Coldchain-Alert"] for m in mail.to(ops)}
        return by_channel if len(by_channel) == 2 and mailed == set(by_channel.values()) else None

    by_channel = await eventually(both_told, timeout_s=90, interval_s=0.5)
    assert all(c.verified for c in receiver.calls)
    assert {c.headers["coldchain-event-type"] for c in receiver.calls} == {"excursion_opened"}
    assert all("온도 이탈" in m["Subject"] for m in mail.to(ops))

    async def listed_by_tracking() -> set[str] | None:
        found = await gateway.get(f"/v1/vehicles/{vid}/excursions", headers=admin, params={"status": "open"})
        ids = {e["excursion_id"] for e in found.json()["excursions"]}
        return ids if len(ids) == 2 else None  # tracking's projection of its events lags a little

    assert await eventually(listed_by_tracking, timeout_s=60, interval_s=0.5) == set(by_channel.values())

    handled, ignored = by_channel["A"], by_channel["B"]
    assert (
        await gateway.post(f"/v1/alerts/{handled}/acknowledge", headers=dev_key_headers())
    ).status_code == 403
    ack = await gateway.post(
        f"/v1/alerts/{handled}/acknowledge", headers=dispatcher, json={"note": "driver called"}
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledgement"]["by"].startswith("user:")
    assert ack.json()["acknowledgement"]["note"] == "driver called"

    # The unacknowledged excursion escalates to the manager; the acknowledged one, due at the
    # same moment, does not.
    async def escalated() -> list[Any] | None:
        return [m for m in mail.to(manager) if ignored in m.get_content()] or None

    message = (await eventually(escalated, timeout_s=60, interval_s=0.5))[0]
    assert "Escalated (step 1)" in message.get_content()
    assert not [m for m in mail.to(manager) if handled in m.get_content()]
    state = (await gateway.get(f"/v1/alerts/{handled}/notifications", headers=dispatcher)).json()
    assert sorted((d["rule_id"], d["step"]) for d in state["deliveries"]) == [
        (f"esc-{t}", 0),
        (f"mail-{t}", 0),
    ]
    assert state["incidents"][0]["next_escalation_at"] is None
