"""Orders: commands on `orders.commands.v1` and lifecycle events on `orders.events.v1`.

Both topics are keyed by `order_id`, so everything about one order stays ordered on
one partition. Both carry several types, told apart by `event_type` (a discriminated
union). Events carry the order's `status` after the event and its `version` (1, 2, …
per order; a refused command changes nothing and repeats the current version).

Lifecycle: received → accepted | rejected → planned → assigned → picked_up →
delivered; cancelled and failed from the states where that makes sense (see the
orders service's `domain.TRANSITIONS`).
"""

from coldchain_contracts.orders.commands import (
    ORDER_COMMAND_TYPES,
    AmendOrder,
    AnyOrderCommand,
    CancelOrder,
    FailOrder,
    MarkOrderPlanned,
    OrderCommand,
    PlaceOrder,
)
from coldchain_contracts.orders.events import (
    ORDER_EVENT_TYPES,
    AnyOrderEvent,
    OrderAccepted,
    OrderAmended,
    OrderAssigned,
    OrderCancelled,
    OrderCommandRefused,
    OrderDelivered,
    OrderEvent,
    OrderFailed,
    OrderPickedUp,
    OrderPlanned,
    OrderReceived,
    OrderRejected,
    OrderStopArrived,
    OrderUnassigned,
)
from coldchain_contracts.orders.spec import (
    OrderChanges,
    OrderSpec,
    OrderStatus,
    OrderStop,
    RejectionReason,
    TimeWindow,
)

__all__ = [
    "ORDER_COMMAND_TYPES",
    "ORDER_EVENT_TYPES",
    "AmendOrder",
    "AnyOrderCommand",
    "AnyOrderEvent",
    "CancelOrder",
    "FailOrder",
    "MarkOrderPlanned",
    "OrderAccepted",
    "OrderAmended",
    "OrderAssigned",
    "OrderCancelled",
    "OrderChanges",
    "OrderCommand",
    "OrderCommandRefused",
    "OrderDelivered",
    "OrderEvent",
    "OrderFailed",
    "OrderPickedUp",
    "OrderPlanned",
    "OrderReceived",
    "OrderRejected",
    "OrderSpec",
    "OrderStatus",
    "OrderStop",
    "OrderStopArrived",
    "OrderUnassigned",
    "PlaceOrder",
    "RejectionReason",
    "TimeWindow",
]
