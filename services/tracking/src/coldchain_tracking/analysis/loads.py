"""From the orders on board a vehicle to the analysis input `Load` (pure).

An order is on board from its pick-up (`OrderPickedUp.departed_at`) until it is
delivered, cancelled or failed; `load_store` keeps that projection of `orders.events.v1`.
Here the orders on board one vehicle become the one `Load` the rules read:

- loaded since: the earliest pick-up departure of the orders on board;
- destination: the drop-off site of that earliest-loaded order (`None` when its
  drop-off is an ad-hoc address: then any site counts as arrival);
- setpoints: an order's `setpoint_celsius` applies to the vehicle's compartments of
  the order's zone. Orders of one zone that ask for different setpoints leave that
  zone on its zone band: no single setpoint ± tolerance is right for both loads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coldchain_contracts import Compartment, TemperatureZone
from coldchain_tracking.analysis.context import Load


class OnBoard(BaseModel):
    """One order on board a vehicle, with what the analysis needs of it."""

    model_config = ConfigDict(frozen=True)

    order_id: uuid.UUID
    vehicle_id: str
    departed_at: datetime
    zone: TemperatureZone | None = None
    setpoint_celsius: float | None = None
    dropoff_site_id: str | None = None


def load_of(on_board: Iterable[OnBoard], compartments: Sequence[Compartment]) -> Load | None:
    """The vehicle's load, or None when nothing is on board."""
    orders = sorted(on_board, key=lambda o: (o.departed_at, str(o.order_id)))
    if not orders:
        return None
    first = orders[0]
    wanted: dict[TemperatureZone, set[float]] = {}
    for order in orders:
        if order.zone is not None and order.setpoint_celsius is not None:
            wanted.setdefault(order.zone, set()).add(order.setpoint_celsius)
    setpoints = {
        c.channel: next(iter(wanted[c.zone])) for c in compartments if len(wanted.get(c.zone, ())) == 1
    }
    return Load(
        loaded_since=first.departed_at, destination_site_id=first.dropoff_site_id, setpoints=setpoints
    )
