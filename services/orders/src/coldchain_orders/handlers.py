"""Kafka adapters: order commands, route assignments and geofence events in.

Each batch is applied in one database transaction: the inbox row of every message
(`processed_messages`, keyed by consumer and event id), the state changes, the event
history and the outbox rows. Offsets are committed after that transaction, so a crash
redelivers the batch and the inbox makes the redelivery a no-op. Nothing is published
here: the outbox relay does that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coldchain_contracts import (
    AnyOrderCommand,
    AnyTrackingEvent,
    Envelope,
    GeofenceEntered,
    GeofenceExited,
    PlaceOrder,
    RouteAssigned,
    utcnow,
)
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS, ORDERS_COMMANDS, TRACKING_EVENTS
from coldchain_orders import commands
from coldchain_orders import repository as repo
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit import tracecontext
from coldchain_servicekit.consumers import Consumers, Delivered

DUPLICATES = Counter("orders_duplicate_messages_total", "Messages already processed (inbox hit)", ["topic"])

M = TypeVar("M", bound=Envelope)
_COMMAND: TypeAdapter[AnyOrderCommand] = TypeAdapter(AnyOrderCommand)
_ROUTE = TypeAdapter(RouteAssigned)
_TRACKING: TypeAdapter[AnyTrackingEvent] = TypeAdapter(AnyTrackingEvent)

Apply = Callable[[AsyncConnection, M, datetime, str | None], Awaitable[None]]


def register(
    broker: KafkaBroker,
    settings: OrdersSettings,
    engine: AsyncEngine,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    tz = ZoneInfo(settings.timezone)

    def in_one_transaction(
        topic: str, apply: Apply[M], relevant: Callable[[M], bool] = lambda _: True
    ) -> Callable[[list[Delivered[M]]], Awaitable[None]]:
        async def handle(batch: list[Delivered[M]]) -> None:
            now = clock()
            async with engine.begin() as conn:
                for item in batch:
                    if not relevant(item.message):  # no inbox row for what never concerns an order
                        continue
                    if not await repo.first_time(conn, topic, item.message.event_id, now):
                        DUPLICATES.labels(topic).inc()
                        continue
                    await apply(conn, item.message, now, item.header(tracecontext.HEADER))

        return handle

    async def apply_command(
        conn: AsyncConnection, command: AnyOrderCommand, now: datetime, trace: str | None
    ) -> None:
        if isinstance(command, PlaceOrder):
            await commands.place(conn, command, tz, now, trace)
        else:
            await commands.change(conn, command, tz, now, trace)

    async def apply_route(
        conn: AsyncConnection, route: RouteAssigned, now: datetime, trace: str | None
    ) -> None:
        await commands.route_assigned(conn, route, now, trace)

    async def apply_tracking(
        conn: AsyncConnection, event: AnyTrackingEvent, now: datetime, trace: str | None
    ) -> None:
        if isinstance(event, GeofenceEntered | GeofenceExited):
            await commands.geofence(conn, event, now, trace)

    def site_visit(event: AnyTrackingEvent) -> bool:
        return isinstance(event, GeofenceEntered | GeofenceExited) and event.site_id is not None

    on_commands = in_one_transaction(ORDERS_COMMANDS.name, apply_command)
    on_routes = in_one_transaction(DISPATCH_ASSIGNMENTS.name, apply_route)
    on_tracking = in_one_transaction(TRACKING_EVENTS.name, apply_tracking, site_visit)
    consumers = Consumers(broker, settings)
    # One consumer group per input topic, so a rebalance of one never pauses the others.
    consumers.subscribe(ORDERS_COMMANDS.name, _COMMAND, on_commands)
    consumers.subscribe(DISPATCH_ASSIGNMENTS.name, _ROUTE, on_routes, group="assignments")
    consumers.subscribe(TRACKING_EVENTS.name, _TRACKING, on_tracking, group="tracking")
