"""The service's plans through the engine portfolio (`coldchain_dispatch.engines`).

The compiled instance becomes a `RoutingProblem` one location per node (so every stop
can carry its own vehicle restrictions): open orders are optional shipments priced by
priority, restricted to the vehicles that may carry them (zone, setpoint, forklift,
capacity); a load already on board is a shipment picked up at its vehicle's start the
moment it leaves, on that vehicle only. The portfolio picks the engine (PyVRP when it
can express the problem). The answer becomes node sequences for `build_plan`; should the
service's own schedule refuse it, the OR-tools solver plans instead, and the stats say so.
"""

from __future__ import annotations

import time

import numpy as np

from coldchain_dispatch.engines import portfolio
from coldchain_dispatch.engines.problem import RoutingProblem, Shipment, Step, Vehicle
from coldchain_dispatch.planning.instance import Instance, build
from coldchain_dispatch.planning.model import Plan, Problem, SolverStats
from coldchain_dispatch.planning.ortools_solver import ONBOARD_PENALTY_M, drop_penalty, solve_ortools
from coldchain_dispatch.planning.plans import build_plan

# PyVRP treats capacity as a soft constraint whose penalty grows per unit of excess; a
# pallet is one unit, so against drop prizes of 1,000 km an overload looked cheap and
# 10 s searches ended overloaded (metro day, 120 orders). Pallets count in thousandths.
LOAD_SCALE = (1000, 1000, 1000, 1)

# Shipment index -> (order index, on board).
Shipped = list[tuple[int, bool]]


def _scaled(load: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x * k for x, k in zip(load, LOAD_SCALE, strict=True))


def to_routing(inst: Instance) -> tuple[RoutingProblem, Shipped]:
    points = np.array([n.point for n in inst.nodes], dtype=np.int64)
    metres = np.asarray(inst.metres, dtype=np.int64)[np.ix_(points, points)]
    seconds = np.asarray(inst.seconds, dtype=np.int64)[np.ix_(points, points)]
    vehicles = tuple(
        Vehicle(
            start=inst.starts[vi],
            end=inst.ends[vi],
            capacity=_scaled(inst.capacities[vi]),
            tw_early=inst.nodes[inst.starts[vi]].open_s,
            tw_late=inst.nodes[inst.ends[vi]].close_s,
            max_duration=int(v.max_route_duration.total_seconds()),
        )
        for vi, v in enumerate(inst.vehicles)
    )
    shipments: list[Shipment] = []
    shipped: Shipped = []
    for oi, o in enumerate(inst.orders):
        allowed = inst.allowed[oi]
        if not allowed:
            continue  # no vehicle may carry it: `build_plan` says why
        d = inst.nodes[inst.delivery_node[o.order_id]]
        delivery = Step(inst.delivery_node[o.order_id], d.open_s, d.close_s, d.service_s)
        amount = _scaled(tuple(-x for x in d.demand))
        carrier = inst.onboard_of.get(o.order_id)
        if carrier is None:
            p = inst.nodes[inst.pickup_node[o.order_id]]
            pickup = Step(inst.pickup_node[o.order_id], p.open_s, p.close_s, p.service_s)
            shipments.append(Shipment(pickup, delivery, amount, False, drop_penalty(o.priority), allowed))
        else:
            start = inst.starts[carrier]
            ready = inst.nodes[start].open_s
            shipments.append(
                Shipment(Step(start, ready, ready), delivery, amount, False, ONBOARD_PENALTY_M, allowed)
            )
        shipped.append((oi, carrier is not None))
    return RoutingProblem(metres, seconds, vehicles, tuple(shipments)), shipped


def solve_portfolio(problem: Problem, *, time_limit_s: float, seed: int = 0) -> Plan:
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be > 0, got {time_limit_s}")
    started = time.perf_counter()
    inst = build(problem)
    routing, shipped = to_routing(inst)
    reserve = min(0.5, 0.05 * time_limit_s)  # for turning the answer into a plan
    result = portfolio.solve(routing, max(0.05, time_limit_s - reserve), seed)
    sequences: list[list[int]] = [[] for _ in inst.vehicles]
    for route in result.routes:
        for visit in route.visits:
            shipment = routing.shipments[visit.shipment]
            _, onboard = shipped[visit.shipment]
            if visit.pickup and onboard:
                continue  # the load is already on the truck
            step = shipment.pickup if visit.pickup else shipment.delivery
            sequences[route.vehicle].append(step.location)
    wall = time.perf_counter() - started
    stats = SolverStats(
        result.engine, seed, time_limit_s, wall, wall if result.feasible else None, result.objective
    )
    if result.feasible:
        try:
            return build_plan(inst, sequences, stats)
        except ValueError:
            pass  # the service's schedule disagrees with the engine's: plan with OR-tools below
    left = max(1.0, time_limit_s - (time.perf_counter() - started))
    return solve_ortools(problem, time_limit_s=left, seed=seed, instance=inst)
