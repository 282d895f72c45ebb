"""Composition root of the notify service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from coldchain_notify import alerts_api, channels_api, handlers, rules_api
from coldchain_notify.db import SCHEMA
from coldchain_notify.escalation import Escalator
from coldchain_notify.senders import EmailSender, Sender, SmsSender, WebhookSender
from coldchain_notify.settings import NotifySettings
from coldchain_notify.worker import DeliveryWorker, drain
from coldchain_servicekit.periodic import Periodic
from coldchain_servicekit.runtime import Runtime, Schema, runtime_app

SCHEMA_DEF = Schema(SCHEMA, Path(__file__).parent / "migrations")


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = Runtime.build(settings, with_redis=False)
    handlers.register(runtime.broker, settings, runtime.engine)
    # Webhooks never follow redirects: a receiver's 3xx is a failure the log shows.
    client = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
    senders: dict[str, Sender] = {
        "webhook": WebhookSender(client),
        "email": EmailSender(settings),
        "sms": SmsSender(client, settings),
    }
    worker = DeliveryWorker(runtime.engine, senders, settings)
    delivering = Periodic("deliver", lambda: drain(worker), settings.deliver_every_s)
    escalator = Escalator(runtime.engine)

    async def escalate() -> None:
        await escalator.run_once()

    escalating = Periodic("escalate", escalate, settings.escalate_every_s)
    app = runtime_app(
        runtime,
        SCHEMA_DEF,
        title="Coldchain notify",
        on_start=[delivering.start, escalating.start],
        on_stop=[escalating.stop, delivering.stop, client.aclose],
    )
    app.state.engine = runtime.engine
    app.include_router(rules_api.router)
    app.include_router(channels_api.router)
    app.include_router(alerts_api.router)
    return app
