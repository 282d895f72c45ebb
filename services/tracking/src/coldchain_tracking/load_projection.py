"""What each `orders.events.v1` event changes in tracking's per-order load row (pure).

A row per order holds what the analysis, the temperature record and the KPIs need: the
vehicle, the pick-up and delivery (arrival, departure, on-time flag), the zone, the
setpoint, the pallets and the drop-off site, with the order's `status` and `version`.
Each event sets the columns it carries and leaves the others; the store applies it only
if its version is newer than the row's, so a redelivered or older event changes nothing.
An order is on board while its status is `picked_up`.
"""

from __future__ import annotations

from typing import Any

from coldchain_contracts.orders import (
    OrderAccepted,
    OrderAmended,
    OrderAssigned,
    OrderCommandRefused,
    OrderDelivered,
    OrderEvent,
    OrderPickedUp,
    OrderReceived,
    OrderSpec,
    OrderUnassigned,
)


def _spec(spec: OrderSpec) -> dict[str, Any]:
    return {
        "zone": spec.zone.value,
        "setpoint_celsius": spec.setpoint_celsius,
        "dropoff_site_id": spec.dropoff.site_id,
        "pallets": spec.pallets,
    }


def columns_of(event: OrderEvent) -> dict[str, Any] | None:
    """The row's new column values (order id, version and status included); None: no change."""
    if isinstance(event, OrderCommandRefused):
        return None  # a refused command repeats the current version and changes nothing
    columns: dict[str, Any] = {
        "order_id": event.order_id,
        "version": event.version,
        "status": event.status.value,
    }
    if event.order_number:
        columns["order_number"] = event.order_number
    if isinstance(event, OrderReceived | OrderAccepted | OrderAmended):
        columns |= _spec(event.order)
    elif isinstance(event, OrderAssigned):
        columns["vehicle_id"] = event.vehicle_id
    elif isinstance(event, OrderUnassigned):
        columns["vehicle_id"] = None
    elif isinstance(event, OrderPickedUp):
        columns |= {
            "vehicle_id": event.vehicle_id,
            "departed_at": event.departed_at,
            "pickup_arrived_at": event.arrived_at,
            "pickup_on_time": event.on_time,
        }
    elif isinstance(event, OrderDelivered):
        columns |= {
            "delivered_at": event.departed_at,
            "dropoff_arrived_at": event.arrived_at,
            "delivery_on_time": event.on_time,
        }
    return columns
