"""Channels' transports: a webhook over HTTP, an e-mail over SMTP.

Each sender answers an `Outcome` and never raises for a failure of the other side, so
the worker records every attempt with its status code or error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib
import httpx

from coldchain_notify.rules import Language
from coldchain_notify.settings import NotifySettings
from coldchain_notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from coldchain_notify.templates import render_email


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """A channel as the sender needs it."""

    channel_id: str
    kind: str
    spec: dict[str, Any]
    secrets: tuple[str, ...] = ()


class Sender(Protocol):
    async def send(self, target: Target, delivery_id: str, payload: dict[str, Any]) -> Outcome: ...


def webhook_body(delivery_id: str, payload: dict[str, Any]) -> bytes:
    return json.dumps(
        {"delivery_id": delivery_id, **payload}, separators=(",", ":"), ensure_ascii=False
    ).encode()


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, target: Target, delivery_id: str, payload: dict[str, Any]) -> Outcome:
        body = webhook_body(delivery_id, payload)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "coldchain-notify/0.1",
            "Coldchain-Delivery": delivery_id,
            "Coldchain-Event-Type": str(payload["type"]),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature_header(target.secrets, timestamp, body),
        }
        try:
            response = await self._client.post(str(target.spec["url"]), content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code)
        return Outcome(False, response.status_code, f"HTTP {response.status_code}")


class EmailSender:
    def __init__(self, settings: NotifySettings) -> None:
        self._settings = settings

    def message(self, target: Target, delivery_id: str, payload: dict[str, Any]) -> EmailMessage:
        subject, text = render_email(payload, Language(target.spec.get("language", "ko")))
        message = EmailMessage()
        message["From"] = self._settings.smtp_from
        message["To"] = ", ".join(target.spec["to"])
        message["Subject"] = subject
        message["Date"] = datetime.now().astimezone().strftime("%a, %d %b %Y %H:%M:%S %z")
        message["Message-ID"] = f"<{delivery_id}@coldchain-notify>"
        message["X-Coldchain-Alert"] = str(payload.get("alert_id", ""))
        message.set_content(text)
        return message

    async def send(self, target: Target, delivery_id: str, payload: dict[str, Any]) -> Outcome:
        s = self._settings
        try:
            await aiosmtplib.send(
                self.message(target, delivery_id, payload),
                hostname=s.smtp_host,
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_s,
            )
        except aiosmtplib.SMTPResponseException as exc:
            return Outcome(False, exc.code, exc.message[:500])
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(True, 250)


class SmsSender:
    """One POST per number to the configured SMS gateway; the subject line is the text."""

    def __init__(self, client: httpx.AsyncClient, settings: NotifySettings) -> None:
        self._client = client
        self._settings = settings

    async def send(self, target: Target, delivery_id: str, payload: dict[str, Any]) -> Outcome:
        s = self._settings
        if not s.sms_url:
            return Outcome(False, None, "no SMS gateway configured (NOTIFY_SMS_URL)")
        text, _ = render_email(payload, Language(target.spec.get("language", "ko")))
        headers = {"Idempotency-Key": delivery_id}
        if s.sms_token is not None:
            headers["Authorization"] = f"Bearer {s.sms_token.get_secret_value()}"
        for number in target.spec["to"]:
            try:
                response = await self._client.post(
                    s.sms_url, json={"to": number, "text": text}, headers=headers
                )
            except httpx.HTTPError as exc:
                return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
            if not 200 <= response.status_code < 300:
                return Outcome(False, response.status_code, f"HTTP {response.status_code} for {number}")
        return Outcome(True, 200)
