"""A VRPTW instance as the portfolio's integer `RoutingProblem`, and engine routes back as clients.

Each client is a job delivering its demand from the depot; one vehicle type of
`fleet_size` identical vehicles with no fixed cost, so the engines minimise distance
within the fleet, the objective of the Solomon tables our benchmark compares with.
"""

from __future__ import annotations

from coldchain_benchkit.vrptw.instance import DEPOT, VrptwInstance
from coldchain_benchkit.vrptw.scaled import ScaledInstance
from coldchain_dispatch.engines.problem import EngineRoute, Job, RoutingProblem, Step, Vehicle


def to_routing(instance: VrptwInstance, scaled: ScaledInstance) -> RoutingProblem:
    early, late = scaled.time_windows[DEPOT]
    return RoutingProblem(
        distance=scaled.distance,
        duration=scaled.travel_time,
        vehicles=(
            Vehicle(
                start=DEPOT,
                end=DEPOT,
                capacity=(instance.capacity,),
                tw_early=early,
                tw_late=late,
                count=instance.fleet_size,
            ),
        ),
        shipments=(),
        jobs=tuple(
            Job(
                Step(client, *scaled.time_windows[client], scaled.service_times[client]),
                (instance.demands[client],),
            )
            for client in instance.clients
        ),
    )


def client_routes(instance: VrptwInstance, routes: tuple[EngineRoute, ...]) -> tuple[tuple[int, ...], ...]:
    """Job k is client k + 1 (node 0 is the depot); empty routes are dropped."""
    clients = list(instance.clients)
    return tuple(tuple(clients[v.shipment] for v in r.visits) for r in routes if r.visits)
