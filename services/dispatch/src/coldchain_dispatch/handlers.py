"""Kafka adapters of dispatch: the projections of vehicles, sites and live positions.

Each topic is compacted (or latest-wins) and each projection is an idempotent upsert,
so a redelivered batch converges to the same rows; offsets are committed after the
upsert (servicekit's `process_batch`).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter

from coldchain_contracts import (
    AnyOrderEvent,
    AnyTrackingEvent,
    ExcursionOpened,
    SiteUpserted,
    VehicleRegistered,
    VehicleStateChanged,
)
from coldchain_contracts.dispatch import AnyDispatchCommand, RequestPlan
from coldchain_contracts.orders import OrderAccepted
from coldchain_contracts.topics import (
    DISPATCH_COMMANDS,
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
    TRACKING_EVENTS,
    VEHICLE_STATE,
)
from coldchain_dispatch.clock import FleetClock
from coldchain_dispatch.order_book import OrderBook
from coldchain_dispatch.planner import Planner
from coldchain_dispatch.projections import Projections
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit import tracecontext
from coldchain_servicekit.kafka import (
    DeadLetters,
    Delivered,
    Record,
    batch_subscriber_options,
    process_batch,
    records_of,
    retry_policy,
)

_VEHICLE = TypeAdapter(VehicleRegistered)
_SITE = TypeAdapter(SiteUpserted)
_STATE = TypeAdapter(VehicleStateChanged)
_ORDER_EVENT: TypeAdapter[AnyOrderEvent] = TypeAdapter(AnyOrderEvent)
_COMMAND: TypeAdapter[AnyDispatchCommand] = TypeAdapter(AnyDispatchCommand)
_TRACKING_EVENT: TypeAdapter[AnyTrackingEvent] = TypeAdapter(AnyTrackingEvent)


def vehicle_or_tombstone(record: Record) -> VehicleRegistered:
    if record.value is not None:
        return _VEHICLE.validate_json(record.value)
    if record.key is None:
        raise ValueError("tombstone without a key")
    return VehicleRegistered(vehicle_id=record.key.decode(), active=False, producer="tombstone")


def register(
    broker: KafkaBroker,
    settings: DispatchSettings,
    projections: Projections,
    order_book: OrderBook,
    planner: Planner,
    *,
    fleet_clock: FleetClock | None = None,
) -> None:
    dead_letters = DeadLetters(broker, settings.service_name)
    retry = retry_policy(settings)
    options = batch_subscriber_options(settings)

    def group(name: str) -> dict[str, Any]:
        # One group per projection: a rebalance of one never pauses the others.
        return {**options, "group_id": f"{settings.service_name}.{name}"}

    async def on_vehicle_batch(batch: list[Delivered[VehicleRegistered]]) -> None:
        await projections.apply_vehicles([d.message for d in batch])

    async def on_site_batch(batch: list[Delivered[SiteUpserted]]) -> None:
        await projections.apply_sites([d.message for d in batch])

    async def on_state_batch(batch: list[Delivered[VehicleStateChanged]]) -> None:
        await projections.apply_positions([d.message for d in batch])
        if fleet_clock is not None and batch:
            fleet_clock.observe(max(d.message.device_time for d in batch))

    @broker.subscriber(FLEET_VEHICLES.name, **group("vehicles"))
    async def on_vehicles(msg: KafkaMessage) -> None:
        await process_batch(
            records_of(msg.raw_message), vehicle_or_tombstone, on_vehicle_batch, dead_letters, retry
        )

    @broker.subscriber(FLEET_SITES.name, **group("sites"))
    async def on_sites(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _SITE, on_site_batch, dead_letters, retry)

    @broker.subscriber(VEHICLE_STATE.name, **group("positions"))
    async def on_states(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _STATE, on_state_batch, dead_letters, retry)

    async def on_order_batch(batch: list[Delivered[AnyOrderEvent]]) -> None:
        await order_book.apply([d.message for d in batch])
        # Mode 2: each newly accepted order goes into the current plan, if there is one.
        for d in batch:
            if isinstance(d.message, OrderAccepted):
                await planner.order_accepted(
                    d.message.order_id, d.message.event_id, d.header(tracecontext.HEADER)
                )

    async def on_command_batch(batch: list[Delivered[AnyDispatchCommand]]) -> None:
        for d in batch:
            trace = d.header(tracecontext.HEADER)
            if isinstance(d.message, RequestPlan):
                await planner.request(d.message, trace)
            else:
                await planner.breakdown(d.message, trace)

    async def on_tracking_batch(batch: list[Delivered[AnyTrackingEvent]]) -> None:
        for d in batch:
            if isinstance(d.message, ExcursionOpened):
                await planner.excursion(d.message, d.header(tracecontext.HEADER))

    @broker.subscriber(TRACKING_EVENTS.name, **{**group("excursions"), "max_records": 1})
    async def on_tracking_events(msg: KafkaMessage) -> None:
        await process_batch(
            records_of(msg.raw_message), _TRACKING_EVENT, on_tracking_batch, dead_letters, retry
        )

    @broker.subscriber(ORDERS_EVENTS.name, **group("orders"))
    async def on_orders(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _ORDER_EVENT, on_order_batch, dead_letters, retry)

    # One command per poll, and the solve capped (settings.plan_time_limit_max_s) well below
    # max.poll.interval: the consumer polls nothing while it plans, and a longer gap would
    # get it thrown out of its group and the command redelivered elsewhere.
    @broker.subscriber(
        DISPATCH_COMMANDS.name,
        **{**group("commands"), "max_records": 1},
        max_poll_interval_ms=settings.command_max_poll_interval_ms,
    )
    async def on_commands(msg: KafkaMessage) -> None:
        await process_batch(records_of(msg.raw_message), _COMMAND, on_command_batch, dead_letters, retry)
