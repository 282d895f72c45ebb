"""Assignments from dispatch and geofence visits from tracking move orders on, on real Kafka."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaProducer
from orders_harness import TOMORROW, Running, events_of, place, put_sites, send

from coldchain_contracts import (
    AssignedStop,
    GeofenceEntered,
    GeofenceExited,
    RouteAssigned,
    StopKind,
)
from coldchain_contracts.topics import DISPATCH_ASSIGNMENTS, TRACKING_EVENTS
from coldchain_devtools.testing import Infra

pytestmark = pytest.mark.integration


def route(vehicle: str, revision: int, *order_ids: uuid.UUID) -> RouteAssigned:
    stops = []
    for n, order_id in enumerate(order_ids):
        for kind, hours in ((StopKind.PICKUP, 1), (StopKind.DELIVERY, 4)):
            at = TOMORROW + timedelta(hours=hours)
            stops.append(
                AssignedStop(
                    sequence=len(stops),
                    order_id=order_id,
                    kind=kind,
                    latitude=37.5,
                    longitude=127.0 + n / 100,
                    planned_arrival=at,
                    planned_departure=at + timedelta(minutes=30),
                )
            )
    return RouteAssigned(vehicle_id=vehicle, plan_id=uuid.uuid4(), revision=revision, stops=tuple(stops))


async def test_an_order_goes_from_assigned_to_delivered_with_its_times(
    service: Running, infra: Infra, kafka_producer: AIOKafkaProducer
) -> None:
    pickup, dropoff = await put_sites(service.http)
    command = place(pickup, dropoff)
    await send(kafka_producer, command)
    await events_of(infra, command.order_id, "OrderAccepted")
    vehicle = f"truck-{uuid.uuid4().hex[:6]}"
    await kafka_producer.send_and_wait(
        DISPATCH_ASSIGNMENTS.name,
        route(vehicle, 1, command.order_id).model_dump_json().encode(),
        key=vehicle.encode(),
    )
    assigned = await events_of(infra, command.order_id, "OrderAssigned")
    assert assigned[-1]["vehicle_id"] == vehicle
    assert assigned[-1]["planned_pickup_at"] is not None

    arrive, leave = TOMORROW + timedelta(minutes=30), TOMORROW + timedelta(minutes=70)
    arrive_d, leave_d = TOMORROW + timedelta(hours=5, minutes=30), TOMORROW + timedelta(hours=6)
    visits = [
        GeofenceEntered(vehicle_id=vehicle, at=arrive, geofence_id=f"site:{pickup}", site_id=pickup),
        GeofenceExited(
            vehicle_id=vehicle, at=leave, geofence_id=f"site:{pickup}", site_id=pickup, entered_at=arrive
        ),
        GeofenceEntered(vehicle_id=vehicle, at=arrive_d, geofence_id=f"site:{dropoff}", site_id=dropoff),
        GeofenceExited(vehicle_id=vehicle, at=leave_d, geofence_id=f"site:{dropoff}", site_id=dropoff),
    ]
    for visit in visits:
        await kafka_producer.send_and_wait(
            TRACKING_EVENTS.name, visit.model_dump_json().encode(), key=vehicle.encode()
        )
    await kafka_producer.send_and_wait(  # a redelivered exit changes nothing
        TRACKING_EVENTS.name, visits[-1].model_dump_json().encode(), key=vehicle.encode()
    )
    events = await events_of(infra, command.order_id, "OrderDelivered")
    assert [e["event_type"] for e in events] == [
        "OrderReceived",
        "OrderAccepted",
        "OrderAssigned",
        "OrderStopArrived",
        "OrderPickedUp",
        "OrderStopArrived",
        "OrderDelivered",
    ]
    picked, delivered = events[4], events[6]
    assert picked["on_time"] is True, "arrived 00:30 within the 00:00-02:00 pick-up window"
    assert delivered["on_time"] is False, "arrived 05:30, the drop-off window closed at 05:00"
    body = (await service.http.get(f"/v1/orders/{command.order_id}")).json()
    assert (body["status"], body["delivery_on_time"]) == ("delivered", False)
    assert body["picked_up_at"] is not None
    assert body["delivered_at"] is not None


async def test_an_order_dropped_from_its_vehicles_route_is_open_again(
    service: Running, infra: Infra, kafka_producer: AIOKafkaProducer
) -> None:
    pickup, dropoff = await put_sites(service.http)
    kept, dropped = place(pickup, dropoff), place(pickup, dropoff)
    await send(kafka_producer, kept, dropped)
    await events_of(infra, dropped.order_id, "OrderAccepted")
    vehicle = f"truck-{uuid.uuid4().hex[:6]}"
    for revision, orders in ((1, (kept.order_id, dropped.order_id)), (2, (kept.order_id,))):
        await kafka_producer.send_and_wait(
            DISPATCH_ASSIGNMENTS.name,
            route(vehicle, revision, *orders).model_dump_json().encode(),
            key=vehicle.encode(),
        )
    events = await events_of(infra, dropped.order_id, "OrderUnassigned")
    assert [(e["event_type"], e["status"]) for e in events[-2:]] == [
        ("OrderAssigned", "assigned"),
        ("OrderUnassigned", "accepted"),
    ]
    kept_events = await events_of(infra, kept.order_id, "OrderAssigned")
    assert [json.dumps(e["event_type"]) for e in kept_events].count('"OrderAssigned"') == 1, (
        "a newer revision of the same route does not re-assign"
    )
