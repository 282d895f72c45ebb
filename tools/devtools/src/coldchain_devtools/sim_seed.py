"""Seed a simulated operator through the public API only, the way a new customer would:
the admin registers the vehicles (bound to the simulator's devices) and a dispatcher;
the dispatcher creates the sites, places orders for today and tomorrow and requests a
plan. Every write is a PUT by id or carries an Idempotency-Key, so a second `make run`
creates nothing twice. Problems are printed, never fatal: the simulator keeps driving.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, time, timedelta
from typing import Any

import httpx

from coldchain_devtools import sim_fleet, sim_orders
from coldchain_devtools.sim_orders import SEOUL

DISPATCHER = ("sim-dispatcher", "simulated dispatcher passphrase")  # pragma: allowlist secret
PLAN_ATTEMPTS = 4


def say(message: str) -> None:
    print(f"simulator: {message}", flush=True)


async def send(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request; a 429 waits the Retry-After the gateway names and tries again."""
    for _ in range(20):
        response = await client.request(method, path, **kwargs)
        if response.status_code != 429:
            return response
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    return response


async def _token(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": username, "password": password}
    response = await client.post("/v1/auth/token", data=form)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _admin(client: httpx.AsyncClient) -> dict[str, str]:
    from coldchain_gateway.settings import DEV_ADMIN_PASSWORD

    username = os.environ.get("GATEWAY_ADMIN_USERNAME", "admin")
    return await _token(client, username, os.environ.get("GATEWAY_ADMIN_PASSWORD", DEV_ADMIN_PASSWORD))


async def _dispatcher(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    name, password = DISPATCHER
    body = {"username": name, "password": password, "role": "dispatcher"}
    created = await send(client, "POST", "/v1/admin/users", headers=admin, json=body)
    if created.status_code not in (201, 409):
        say(f"dispatcher user: {created.status_code} {created.text[:200]}")
    return await _token(client, name, password)


async def _put_all(
    client: httpx.AsyncClient, path: str, bodies: dict[str, dict[str, Any]], auth: dict[str, str]
) -> int:
    written = 0
    for item_id, body in bodies.items():
        response = await send(client, "PUT", f"{path}/{item_id}", headers=auth, json=body)
        if response.status_code in (200, 201):
            written += 1
        else:
            say(f"{path}/{item_id}: {response.status_code} {response.text[:300]}")
    return written


async def _place(client: httpx.AsyncClient, auth: dict[str, str], count: int, now: datetime) -> int:
    express = sim_orders.express_order(now)
    key = f"simulator-express-{express['requested_date']}"
    response = await send(
        client, "POST", "/v1/orders", headers={**auth, "Idempotency-Key": key}, json=express
    )
    placed = 1 if response.status_code == 202 else 0
    if not placed:
        say(f"order {express['order_number']}: {response.status_code} {response.text[:200]}")
    today = now.astimezone(SEOUL).date()
    for day in (today, today + timedelta(days=1)):
        earliest = now + timedelta(minutes=30) if day == today else None
        for index, order in enumerate(
            sim_orders.orders_for(day, list(sim_orders.ANCHORS), count, earliest=earliest)
        ):
            key = f"simulator-{day.isoformat()}-{index}"
            response = await send(
                client, "POST", "/v1/orders", headers={**auth, "Idempotency-Key": key}, json=order
            )
            if response.status_code == 202:
                placed += 1
            else:
                say(f"order {order['order_number']}: {response.status_code} {response.text[:200]}")
    return placed


async def _plan(client: httpx.AsyncClient, auth: dict[str, str], now: datetime) -> dict[str, Any] | None:
    """One plan request for the rest of today and tomorrow; its record once solved."""
    end = datetime.combine(now.astimezone(SEOUL).date() + timedelta(days=2), time(0), SEOUL)
    body = {"horizon_start": now.isoformat(), "horizon_end": end.isoformat(), "time_limit_s": 5}
    accepted = await send(client, "POST", "/v1/dispatch/plans", headers=auth, json=body)
    if accepted.status_code != 202:
        say(f"plan request: {accepted.status_code} {accepted.text[:200]}")
        return None
    for _ in range(120):
        await asyncio.sleep(1)
        record = await client.get(accepted.json()["status_url"], headers=auth)
        if record.status_code == 200 and record.json()["status"] in ("done", "failed"):
            found: dict[str, Any] = record.json()
            return found
    return None


async def seed_operator(gateway: str, trucks: int, orders_per_day: int) -> None:
    try:
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
            admin = await _admin(client)
            dispatcher = await _dispatcher(client, admin)
            # The demo works at any hour: the hub never closes, the shifts start around now.
            every_site = sim_orders.sites(sim_orders.ANCHORS, hub_always_open=True)
            sites = await _put_all(client, "/v1/sites", every_site, dispatcher)
            now = datetime.now(SEOUL)
            fleet = sim_fleet.vehicles(trucks, sim_orders.HUB, sim_fleet.demo_shift(now))
            vehicles = await _put_all(client, "/v1/fleet/vehicles", fleet, admin)
            placed = await _place(client, dispatcher, orders_per_day, now) if orders_per_day else 0
            say(f"seeded {sites} sites, {vehicles} vehicles, {placed} orders (today and tomorrow)")
            if not placed:
                return
            # Dispatch learns orders and vehicles from Kafka: ask again while the plan serves none yet.
            for attempt in range(1, PLAN_ATTEMPTS + 1):
                await asyncio.sleep(5 * attempt)
                record = await _plan(client, dispatcher, datetime.now(SEOUL))
                served = (record or {}).get("kpis", {}).get("orders_served", 0)
                say(
                    f"plan {(record or {}).get('plan_id')}: {(record or {}).get('status')}, {served} orders served"
                )
                if served:
                    return
    except httpx.HTTPError as exc:
        say(f"could not seed the operator ({exc!r})")
