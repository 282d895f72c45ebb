"""Live-feed filters and the hub's backpressure (pure, no sockets)."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from coldchain_gateway.live.feed import item_of
from coldchain_gateway.live.hub import LiveHub
from coldchain_gateway.live.subscription import BoundingBox, Channel, LiveItem, Subscribe, matches

pytestmark = pytest.mark.unit
SEOUL_BOX = {"min_lon": 126.7, "min_lat": 37.4, "max_lon": 127.2, "max_lat": 37.7}


def state(vehicle: str, lat: float = 37.56, lon: float = 126.97) -> LiveItem:
    return LiveItem(Channel.VEHICLE_STATE, vehicle, "{}", frozenset({vehicle}), (lat, lon))


def sub(**kw: object) -> Subscribe:
    return Subscribe.model_validate({"type": "subscribe", **kw})


def test_channel_filter() -> None:
    assert matches(sub(channels=["vehicle_state"]), state("v1"))
    assert not matches(sub(channels=["alerts"]), state("v1"))


def test_vehicle_list_filter() -> None:
    assert matches(sub(channels=["vehicle_state"], vehicles=["v1", "v2"]), state("v1"))
    assert not matches(sub(channels=["vehicle_state"], vehicles=["v2"]), state("v1"))


def test_bounding_box_filters_vehicle_states_only() -> None:
    inside, outside = state("v1"), state("v2", lat=35.1, lon=129.0)  # Busan
    s = sub(channels=["vehicle_state", "alerts"], bbox=SEOUL_BOX)
    assert matches(s, inside)
    assert not matches(s, outside)
    alert = LiveItem(Channel.ALERTS, "v2", "{}", frozenset({"v2"}), (35.1, 129.0))
    assert matches(s, alert), "alerts are not positional: a bbox does not hide them"


def test_bounding_box_across_the_antimeridian() -> None:
    box = BoundingBox(min_lon=170, min_lat=-50, max_lon=-170, max_lat=-30)
    assert box.contains(-40, 175)
    assert box.contains(-40, -175)
    assert not box.contains(-40, 0)


def test_invalid_subscriptions_are_refused() -> None:
    with pytest.raises(ValidationError):
        sub(channels=[])
    with pytest.raises(ValidationError):
        sub(channels=["weather"])
    with pytest.raises(ValidationError):
        sub(channels=["alerts"], bbox={**SEOUL_BOX, "min_lat": 38.0})


async def test_a_full_queue_marks_the_client_overflowed_and_queues_nothing_more() -> None:
    hub = LiveHub()
    slow, fast = hub.connect(queue_max=2), hub.connect(queue_max=100)
    slow.subscription = fast.subscription = sub(channels=["vehicle_state"])
    for i in range(5):
        hub.publish(state(f"v{i}"))
    assert slow.overflowed.is_set()
    assert slow.queue.qsize() == 2
    assert not fast.overflowed.is_set()
    assert fast.queue.qsize() == 5


async def test_a_client_without_subscription_gets_nothing_and_disconnect_removes_it() -> None:
    hub = LiveHub()
    client = hub.connect(queue_max=10)
    hub.publish(state("v1"))
    assert client.queue.empty()
    hub.disconnect(client)
    assert len(hub) == 0
    await asyncio.sleep(0)


def test_records_are_wrapped_without_reencoding_and_non_alerts_skipped() -> None:
    raw = '{"event_type":"VehicleStateChanged","vehicle_id":"v1","latitude":37.5,"longitude":127.0}'
    item = item_of("t", "v1", raw, Channel.VEHICLE_STATE)
    assert item is not None
    assert item.text == '{"type":"event","channel":"vehicle_state","key":"v1","data":' + raw + "}"
    assert item.position == (37.5, 127.0)
    assert item.vehicle_ids == frozenset({"v1"})
    trip = '{"event_type":"TripStarted","vehicle_id":"v1"}'
    assert item_of("t", "v1", trip, Channel.ALERTS) is None
    assert item_of("t", "v1", "not json", Channel.VEHICLE_STATE) is None


def test_order_events_are_on_the_orders_channel_for_their_vehicle() -> None:
    from coldchain_contracts.topics import ORDERS_EVENTS
    from coldchain_gateway.live.feed import DEFAULT_TOPICS

    assert DEFAULT_TOPICS[ORDERS_EVENTS.name] is Channel.ORDERS
    raw = '{"event_type":"OrderAssigned","order_id":"o-1","vehicle_id":"v9"}'
    item = item_of(ORDERS_EVENTS.name, "o-1", raw, Channel.ORDERS)
    assert item is not None
    assert item.vehicle_ids == frozenset({"v9"})
