"""Which compartments each order of a route occupies, from the stops' per-compartment loads (pure).

A `RouteAssigned` gives, per stop, the load on board per compartment when leaving it
(`load_after`), and every stop serves one order. So an order's compartments are those whose
pallets rise at its pick-up stop (against the stop before it); when the pick-up is the
route's first stop (the load before it is not in the route: the vehicle may carry goods
already) or is not in the route at all (the order is on board), they are those whose pallets
fall at its delivery stop. An order whose stops say neither is left out: its earlier record
stands.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from coldchain_contracts import RouteAssigned, StopKind
from coldchain_contracts.dispatch import AssignedStop

_EPSILON = 1e-9


def _pallets(stop: AssignedStop) -> dict[str, float]:
    return {c.compartment: c.pallets for c in stop.load_after}


def _changed(before: dict[str, float], after: dict[str, float], rising: bool) -> tuple[str, ...]:
    channels = set(before) | set(after)
    sign = 1.0 if rising else -1.0
    return tuple(sorted(c for c in channels if sign * (after.get(c, 0.0) - before.get(c, 0.0)) > _EPSILON))


def order_channels(route: RouteAssigned) -> dict[uuid.UUID, tuple[str, ...]]:
    """Order id → the compartment channels it occupies on this route's vehicle."""
    stops: Sequence[AssignedStop] = sorted(route.stops, key=lambda s: s.sequence)
    found: dict[uuid.UUID, tuple[str, ...]] = {}
    for index, stop in enumerate(stops):
        if index == 0 or stop.order_id in found:
            continue
        before, after = _pallets(stops[index - 1]), _pallets(stop)
        rising = stop.kind is StopKind.PICKUP
        channels = _changed(before, after, rising)
        if channels:
            found[stop.order_id] = channels
    return found
