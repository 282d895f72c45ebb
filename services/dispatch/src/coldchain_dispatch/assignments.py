"""A plan as `RouteAssigned` messages: one per vehicle, its whole current route.

Pure: the caller supplies each vehicle's previous revision (the new one is the next)
and the plan's `Meta` (compartment channels, stop sites). A vehicle asked for that has
no route in the plan gets an empty route, which tells subscribers it has no work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from coldchain_contracts import AssignedStop, CompartmentLoad, RouteAssigned
from coldchain_contracts.dispatch import StopKind as ContractStopKind
from coldchain_dispatch.assembly import Meta
from coldchain_dispatch.planning.model import Plan, Route, StopKind


def _stops(route: Route, meta: Meta) -> tuple[AssignedStop, ...]:
    transfers = set(meta.transfers)
    channels = meta.channels.get(route.vehicle_id, [])
    result = []
    for seq, s in enumerate(route.stops):
        sites = meta.sites.get(s.order_id, [None, None])
        transferred = s.kind is StopKind.PICKUP and s.order_id in transfers  # picked up off a failed truck
        site = None if transferred else sites[0 if s.kind is StopKind.PICKUP else 1]
        loads = tuple(
            CompartmentLoad(
                compartment=channels[i] if i < len(channels) else chr(ord("A") + i),
                zone=route.setpoints[i],
                pallets=pallets,
            )
            for i, pallets in enumerate(s.load_after)
            if i < len(route.setpoints)
        )
        result.append(
            AssignedStop(
                sequence=seq,
                order_id=uuid.UUID(s.order_id),
                kind=ContractStopKind(s.kind.value),
                site_id=site,
                latitude=s.location.lat,
                longitude=s.location.lon,
                planned_arrival=s.arrival,
                planned_departure=s.departure,
                load_after=loads,
                locked=s.locked,
            )
        )
    return tuple(result)


def route_messages(
    plan: Plan,
    *,
    plan_id: uuid.UUID,
    vehicle_ids: Iterable[str],
    revisions: Mapping[str, int],
    meta: Meta,
    causation_id: uuid.UUID,
) -> list[RouteAssigned]:
    routes = {r.vehicle_id: r for r in plan.routes}
    messages = []
    for vid in sorted(set(vehicle_ids)):
        route = routes.get(vid)
        messages.append(
            RouteAssigned(
                vehicle_id=vid,
                plan_id=plan_id,
                revision=revisions.get(vid, 0) + 1,
                stops=_stops(route, meta) if route else (),
                total_km=round(route.distance_km, 3) if route else 0.0,
                producer="dispatch",
                correlation_id=plan_id,
                causation_id=causation_id,
            )
        )
    return messages
