"""Persistence of orders, sites, their events and the outbox, on one connection.

Every function takes the caller's `AsyncConnection`, so a handler runs the inbox
check, the state change, the event history and the outbox rows in one transaction:
either all of it is committed or none of it is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_contracts import OrderEvent, OrderSpec, OrderStatus, RejectionReason, SiteUpserted
from coldchain_contracts.topics import FLEET_SITES, ORDERS_EVENTS
from coldchain_orders.db import order_events, orders, outbox, processed_messages, sites
from coldchain_orders.domain import Order
from coldchain_servicekit.kafka import Event, Outgoing

ON_A_VEHICLE = (OrderStatus.ASSIGNED.value, OrderStatus.PICKED_UP.value)


async def first_time(conn: AsyncConnection, consumer: str, event_id: uuid.UUID, now: datetime) -> bool:
    """Record the message in the inbox; False when it was processed before (a redelivery)."""
    stmt = (
        insert(processed_messages)
        .values(consumer=consumer, event_id=event_id, processed_at=now)
        .on_conflict_do_nothing()
        .returning(processed_messages.c.event_id)
    )
    return (await conn.execute(stmt)).first() is not None


def order_from_row(row: Row[Any]) -> Order:
    return Order(
        order_id=row.order_id,
        operator_id=row.operator_id,
        spec=OrderSpec.model_validate(row.spec),
        status=OrderStatus(row.status),
        version=row.version,
        updated_at=row.updated_at,
        vehicle_id=row.vehicle_id,
        plan_id=row.plan_id,
        route_revision=row.route_revision,
        planned_pickup_at=row.planned_pickup_at,
        planned_delivery_at=row.planned_delivery_at,
        rejection_reasons=tuple(RejectionReason(r) for r in row.rejection_reasons),
        pickup_arrived_at=row.pickup_arrived_at,
        picked_up_at=row.picked_up_at,
        dropoff_arrived_at=row.dropoff_arrived_at,
        delivered_at=row.delivered_at,
        pickup_on_time=row.pickup_on_time,
        delivery_on_time=row.delivery_on_time,
    )


def _order_row(order: Order) -> dict[str, Any]:
    spec = order.spec
    return {
        "order_id": order.order_id,
        "operator_id": order.operator_id,
        "order_number": spec.order_number,
        "status": order.status.value,
        "version": order.version,
        "spec": spec.model_dump(mode="json"),
        "zone": spec.zone.value,
        "requested_date": spec.requested_date,
        "pickup_site_id": spec.pickup.site_id,
        "dropoff_site_id": spec.dropoff.site_id,
        "priority": spec.priority,
        "vehicle_id": order.vehicle_id,
        "plan_id": order.plan_id,
        "route_revision": order.route_revision,
        "planned_pickup_at": order.planned_pickup_at,
        "planned_delivery_at": order.planned_delivery_at,
        "rejection_reasons": [r.value for r in order.rejection_reasons],
        "pickup_arrived_at": order.pickup_arrived_at,
        "picked_up_at": order.picked_up_at,
        "dropoff_arrived_at": order.dropoff_arrived_at,
        "delivered_at": order.delivered_at,
        "pickup_on_time": order.pickup_on_time,
        "delivery_on_time": order.delivery_on_time,
        "updated_at": order.updated_at,
    }


async def exists(conn: AsyncConnection, order_id: uuid.UUID) -> bool:
    return (
        await conn.execute(select(orders.c.order_id).where(orders.c.order_id == order_id))
    ).first() is not None


async def lock_order(conn: AsyncConnection, order_id: uuid.UUID) -> Order | None:
    row = (await conn.execute(select(orders).where(orders.c.order_id == order_id).with_for_update())).first()
    return order_from_row(row) if row else None


async def lock_orders(conn: AsyncConnection, order_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Order]:
    """Lock in id order, so two transactions locking overlapping sets never deadlock on each other."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    stmt = select(orders).where(orders.c.order_id.in_(ids)).order_by(orders.c.order_id).with_for_update()
    return {row.order_id: order_from_row(row) for row in await conn.execute(stmt)}


async def lock_orders_on_vehicle(conn: AsyncConnection, vehicle_id: str) -> list[Order]:
    stmt = (
        select(orders)
        .where(orders.c.vehicle_id == vehicle_id, orders.c.status.in_(ON_A_VEHICLE))
        .order_by(orders.c.order_id)
        .with_for_update()
    )
    return [order_from_row(row) for row in await conn.execute(stmt)]


async def number_taken(
    conn: AsyncConnection, operator_id: str, number: str, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(orders.c.order_id).where(
        orders.c.operator_id == operator_id,
        orders.c.order_number == number,
        orders.c.status != OrderStatus.REJECTED.value,
    )
    if except_id is not None:
        stmt = stmt.where(orders.c.order_id != except_id)
    return (await conn.execute(stmt.limit(1))).first() is not None


async def sites_by_id(conn: AsyncConnection, site_ids: Iterable[str | None]) -> dict[str, SiteUpserted]:
    ids = {s for s in site_ids if s}
    if not ids:
        return {}
    rows = await conn.execute(select(sites.c.record).where(sites.c.site_id.in_(ids)))
    found = [SiteUpserted.model_validate(r.record) for r in rows]
    return {s.site_id: s for s in found}


async def save_order(conn: AsyncConnection, order: Order, *, new: bool) -> None:
    row = _order_row(order)
    if new:
        await conn.execute(insert(orders).values(**row, created_at=order.updated_at))
    else:
        await conn.execute(orders.update().where(orders.c.order_id == order.order_id).values(**row))


async def enqueue(conn: AsyncConnection, message: Outgoing, event_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        insert(outbox).values(
            topic=message.topic,
            key=message.key,
            event_id=event_id,
            headers=message.headers,
            payload=message.value.decode() if message.value is not None else None,
            created_at=now,
        )
    )


async def record_events(
    conn: AsyncConnection, events: Sequence[OrderEvent], traceparent: str | None, now: datetime
) -> None:
    """Append to the order's history and to the outbox, in the order given."""
    for event in events:
        await conn.execute(
            insert(order_events).values(
                order_id=event.order_id,
                version=event.version,
                event_id=event.event_id,
                event_type=event.event_type,
                occurred_at=event.occurred_at,
                payload=json.loads(event.model_dump_json()),
            )
        )
        await enqueue(
            conn, _outgoing(ORDERS_EVENTS.name, str(event.order_id), event, traceparent), event.event_id, now
        )


def _outgoing(topic: str, key: str, event: Event, traceparent: str | None) -> Outgoing:
    return Outgoing.event(topic, key, event, traceparent)


async def lock_site(conn: AsyncConnection, site_id: str) -> tuple[SiteUpserted, int] | None:
    stmt = select(sites.c.record, sites.c.version).where(sites.c.site_id == site_id).with_for_update()
    row = (await conn.execute(stmt)).first()
    return (SiteUpserted.model_validate(row.record), row.version) if row else None


async def save_site(
    conn: AsyncConnection, site: SiteUpserted, version: int, traceparent: str | None, now: datetime
) -> None:
    """Upsert the site and put its new record on the outbox for `fleet.sites.v1`."""
    values = {
        "site_id": site.site_id,
        "code": site.code,
        "name": site.name,
        "role": site.role.value,
        "active": site.active,
        "record": json.loads(site.model_dump_json()),
        "version": version,
        "updated_at": now,
    }
    stmt = insert(sites).values(**values)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["site_id"], set_={k: v for k, v in values.items() if k != "site_id"}
        )
    )
    await enqueue(conn, _outgoing(FLEET_SITES.name, site.site_id, site, traceparent), site.event_id, now)
