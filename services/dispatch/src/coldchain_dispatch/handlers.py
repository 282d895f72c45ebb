"""Kafka adapters of dispatch: the projections of vehicles, sites and live positions.

Each topic is compacted (or latest-wins) and each projection is an idempotent upsert,
so a redelivered batch converges to the same rows; offsets are committed after the
upsert (servicekit's consumer kit).
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
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
from coldchain_servicekit.consumers import Consumers, Delivered, tombstone_aware

_VEHICLE = TypeAdapter(VehicleRegistered)
_SITE = TypeAdapter(SiteUpserted)
_STATE = TypeAdapter(VehicleStateChanged)
_ORDER_EVENT: TypeAdapter[AnyOrderEvent] = TypeAdapter(AnyOrderEvent)
_COMMAND: TypeAdapter[AnyDispatchCommand] = TypeAdapter(AnyDispatchCommand)
_TRACKING_EVENT: TypeAdapter[AnyTrackingEvent] = TypeAdapter(AnyTrackingEvent)


vehicle_or_tombstone = tombstone_aware(_VEHICLE, VehicleRegistered.removed)


def register(
    broker: KafkaBroker,
    settings: DispatchSettings,
    projections: Projections,
    order_book: OrderBook,
    planner: Planner,
    *,
    fleet_clock: FleetClock | None = None,
) -> None:
    consumers = Consumers(broker, settings)
    # One group per projection: a rebalance of one never pauses the others.

    async def on_vehicle_batch(batch: list[Delivered[VehicleRegistered]]) -> None:
        await projections.apply_vehicles([d.message for d in batch])

    async def on_site_batch(batch: list[Delivered[SiteUpserted]]) -> None:
        await projections.apply_sites([d.message for d in batch])

    async def on_state_batch(batch: list[Delivered[VehicleStateChanged]]) -> None:
        await projections.apply_positions([d.message for d in batch])
        if fleet_clock is not None and batch:
            fleet_clock.observe(max(d.message.device_time for d in batch))

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

    consumers.subscribe(FLEET_VEHICLES.name, vehicle_or_tombstone, on_vehicle_batch, group="vehicles")
    consumers.subscribe(FLEET_SITES.name, _SITE, on_site_batch, group="sites")
    consumers.subscribe(VEHICLE_STATE.name, _STATE, on_state_batch, group="positions")
    consumers.subscribe(
        TRACKING_EVENTS.name, _TRACKING_EVENT, on_tracking_batch, group="excursions", max_records=1
    )
    consumers.subscribe(ORDERS_EVENTS.name, _ORDER_EVENT, on_order_batch, group="orders")
    # One command per poll, and the solve capped (settings.plan_time_limit_max_s) well below
    # max.poll.interval: the consumer polls nothing while it plans, and a longer gap would
    # get it thrown out of its group and the command redelivered elsewhere.
    consumers.subscribe(
        DISPATCH_COMMANDS.name,
        _COMMAND,
        on_command_batch,
        group="commands",
        max_records=1,
        max_poll_interval_ms=settings.command_max_poll_interval_ms,
    )
