"""The integer form of a problem, shared by the OR-tools solver and the heuristics.

Nodes: per vehicle a start node (its live position or depot) and an end node (its
depot); per open order a pick-up and a delivery node; per order already on board a
delivery node only. Clock: seconds since `problem.epoch`; distance: metres. Capacity
dimensions (all four must hold at every node):
  0 total pallets   (a single-compartment body's capacity; dual: both compartments)
  1 frozen pallets  (the compartment held at frozen)
  2 other pallets   (chilled and ambient goods; a dual body's chilled compartment)
  3 weight kg
With setpoints fixed per route this is exact for single and dual bodies alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from coldchain_contracts.fleet import BodyType, TemperatureZone
from coldchain_dispatch.planning.compatibility import compartment_for
from coldchain_dispatch.planning.model import GeoPoint, Order, Problem, StopKind, Vehicle
from coldchain_dispatch.planning.setpoints import choose_setpoints
from coldchain_dispatch.planning.travel import MatrixCache

DIMENSIONS = ("pallets", "frozen_pallets", "other_pallets", "weight_kg")


@dataclass(frozen=True, slots=True)
class Node:
    point: int  # index into Instance.points
    open_s: int
    close_s: int
    service_s: int
    demand: tuple[int, int, int, int]
    order: int | None = None  # index into Instance.orders
    kind: StopKind | None = None
    vehicle: int | None = None  # set on start/end nodes and on on-board deliveries


@dataclass(frozen=True, slots=True)
class Instance:
    problem: Problem
    epoch: datetime
    orders: tuple[Order, ...]
    vehicles: tuple[Vehicle, ...]
    setpoints: tuple[tuple[TemperatureZone, ...], ...]
    capacities: tuple[tuple[int, int, int, int], ...]  # per vehicle, per dimension
    points: tuple[GeoPoint, ...]
    metres: list[list[int]]  # between points
    seconds: list[list[int]]
    nodes: tuple[Node, ...]
    starts: tuple[int, ...]  # node per vehicle
    ends: tuple[int, ...]
    pickup_node: dict[str, int]  # order_id -> node (open orders only)
    delivery_node: dict[str, int]
    allowed: tuple[frozenset[int], ...]  # per order index: vehicles that may carry it
    onboard_of: dict[str, int]  # order_id -> vehicle index

    def at(self, seconds: int) -> datetime:
        return self.epoch + timedelta(seconds=seconds)

    def dist(self, a: int, b: int) -> int:
        return self.metres[self.nodes[a].point][self.nodes[b].point]

    def travel(self, a: int, b: int) -> int:
        return self.seconds[self.nodes[a].point][self.nodes[b].point]

    def node_matrices(self) -> tuple[list[list[int]], list[list[int]]]:
        """Node-by-node distance and time-transit (service at the tail + travel) matrices."""
        index = np.array([n.point for n in self.nodes], dtype=np.int64)
        service = np.array([n.service_s for n in self.nodes], dtype=np.int64)
        metres = np.asarray(self.metres, dtype=np.int64)[np.ix_(index, index)]
        seconds = np.asarray(self.seconds, dtype=np.int64)[np.ix_(index, index)] + service[:, None]
        return metres.tolist(), seconds.tolist()


def _seconds(epoch: datetime, t: datetime) -> int:
    return math.floor((t - epoch).total_seconds())


def _ceil_seconds(d: timedelta) -> int:
    return math.ceil(d.total_seconds())


def _demand(order: Order, sign: int) -> tuple[int, int, int, int]:
    frozen = order.pallets if order.zone is TemperatureZone.FROZEN else 0
    return (
        sign * order.pallets,
        sign * frozen,
        sign * (order.pallets - frozen),
        sign * math.ceil(order.weight_kg),
    )


def _capacity(v: Vehicle, setpoints: tuple[TemperatureZone, ...]) -> tuple[int, int, int, int]:
    if v.body_type is BodyType.DUAL:
        frozen, other = v.compartments
    else:
        other = v.compartments[0]
        frozen = other if setpoints[0] is TemperatureZone.FROZEN else 0
    return (v.pallet_capacity, frozen, other, math.floor(v.weight_capacity_kg))


def build(
    problem: Problem,
    setpoints: dict[str, tuple[TemperatureZone, ...]] | None = None,
    cache: MatrixCache | None = None,
) -> Instance:
    """Compile `problem`; with a `cache` (of `problem.travel`), only new places are priced."""
    chosen = setpoints if setpoints is not None else choose_setpoints(problem)
    epoch = problem.epoch
    vehicles = problem.vehicles
    orders = problem.orders
    onboard_of = {oid: vi for vi, v in enumerate(vehicles) for oid in v.onboard}
    points: list[GeoPoint] = []
    point_index: dict[GeoPoint, int] = {}

    def point(p: GeoPoint) -> int:
        if p not in point_index:
            point_index[p] = len(points)
            points.append(p)
        return point_index[p]

    nodes: list[Node] = []
    starts: list[int] = []
    ends: list[int] = []
    sp = tuple(chosen[v.vehicle_id] for v in vehicles)
    caps = tuple(_capacity(v, s) for v, s in zip(vehicles, sp, strict=True))
    zero = (0, 0, 0, 0)
    for vi, v in enumerate(vehicles):
        ready, end = _seconds(epoch, v.ready_at), _seconds(epoch, v.shift.end)
        starts.append(len(nodes))
        nodes.append(Node(point(v.origin), ready, max(ready, end), 0, zero, vehicle=vi))
        ends.append(len(nodes))
        nodes.append(Node(point(v.depot), ready, max(ready, end), 0, zero, vehicle=vi))
    pickup_node: dict[str, int] = {}
    delivery_node: dict[str, int] = {}
    allowed: list[frozenset[int]] = []
    fits = _fits_by_kind(problem, sp)
    for oi, o in enumerate(orders):
        carrier = onboard_of.get(o.order_id)
        if carrier is None:
            demand = _demand(o, 1)
            allowed.append(
                frozenset(
                    vi
                    for vi in fits[(o.zone, o.requires_forklift)]
                    if all(d <= c for d, c in zip(demand, caps[vi], strict=True))
                )
            )
            pickup_node[o.order_id] = len(nodes)
            nodes.append(_stop_node(epoch, point(o.pickup.location), o, oi, StopKind.PICKUP, None))
        else:
            allowed.append(frozenset({carrier}))
        delivery_node[o.order_id] = len(nodes)
        nodes.append(_stop_node(epoch, point(o.delivery.location), o, oi, StopKind.DELIVERY, carrier))
    if cache is not None:
        cache.add(points)
        points_out: tuple[GeoPoint, ...] = tuple(cache.points)
        metres, seconds = cache.metres, cache.seconds
        remap = [cache.index[p] for p in points]
        nodes = [replace(n, point=remap[n.point]) for n in nodes]
    else:
        travel = problem.travel.matrix(points)
        points_out, metres, seconds = tuple(points), travel.metres, travel.seconds
    return Instance(
        problem=problem,
        epoch=epoch,
        orders=orders,
        vehicles=vehicles,
        setpoints=sp,
        capacities=caps,
        points=points_out,
        metres=metres,
        seconds=seconds,
        nodes=tuple(nodes),
        starts=tuple(starts),
        ends=tuple(ends),
        pickup_node=pickup_node,
        delivery_node=delivery_node,
        allowed=tuple(allowed),
        onboard_of=onboard_of,
    )


def _fits_by_kind(
    problem: Problem, setpoints: tuple[tuple[TemperatureZone, ...], ...]
) -> dict[tuple[TemperatureZone, bool], list[int]]:
    """Vehicles whose setpoints and driver suit each (zone, needs forklift) pair."""
    out: dict[tuple[TemperatureZone, bool], list[int]] = {}
    for zone in TemperatureZone:
        for forklift in (False, True):
            out[(zone, forklift)] = [
                vi
                for vi, v in enumerate(problem.vehicles)
                if compartment_for(v.body_type, setpoints[vi], zone, problem.compatibility) is not None
                and (v.has_forklift or not forklift)
            ]
    return out


def _stop_node(epoch: datetime, point: int, o: Order, oi: int, kind: StopKind, carrier: int | None) -> Node:
    stop = o.pickup if kind is StopKind.PICKUP else o.delivery
    sign = 1 if kind is StopKind.PICKUP else -1
    return Node(
        point=point,
        open_s=_seconds(epoch, stop.window.start),
        close_s=_seconds(epoch, stop.window.end),
        service_s=_ceil_seconds(stop.service),
        demand=_demand(o, sign),
        order=oi,
        kind=kind,
        vehicle=carrier,
    )


def initial_load(inst: Instance, vi: int) -> tuple[int, int, int, int]:
    load = [0, 0, 0, 0]
    for oid in inst.vehicles[vi].onboard:
        for k, d in enumerate(inst.nodes[inst.delivery_node[oid]].demand):
            load[k] -= d
    return (load[0], load[1], load[2], load[3])
