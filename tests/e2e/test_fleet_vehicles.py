"""Vehicles registered through the public API drive the rest of the system: ingest binds
the vehicle's device (a fix from it reports as the vehicle), and dispatch plans the vehicle
for a dispatcher's order. Only the product's doors: the gateway's HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from coldchain_devtools.testing import RunningSystem, dev_admin_headers, dev_key_headers, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
async def gateway(running_system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running_system.url("gateway"), timeout=30) as client:
        yield client


async def dispatcher_headers(gateway: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    name, password = f"disp-{uuid.uuid4().hex[:8]}", "a long passphrase 42"
    body = {"username": name, "password": password, "role": "dispatcher"}
    assert (await gateway.post("/v1/admin/users", headers=admin, json=body)).status_code == 201
    form = {"grant_type": "password", "username": name, "password": password}
    login = await gateway.post("/v1/auth/token", data=form)
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def window(start: datetime, hours: float) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


async def test_a_registered_vehicle_binds_its_device_and_is_planned(
    gateway: httpx.AsyncClient, running_system: RunningSystem
) -> None:
    admin = await dev_admin_headers(running_system.url("gateway"))
    dispatcher = await dispatcher_headers(gateway, admin)
    tag = uuid.uuid4().hex[:6]
    vid, device, depot, pick, drop = (f"{p}-{tag}" for p in ("truck", "dev", "depot", "hub", "store"))
    for site, lat in ((depot, 37.27), (pick, 37.30), (drop, 37.50)):
        body = {"name": site, "latitude": lat, "longitude": 127.05, "zones": ["chilled"]}
        response = await gateway.put(f"/v1/sites/{site}", headers=dispatcher, json=body)
        assert response.status_code == 201, response.text
    vehicle: dict[str, Any] = {
        "name": "Truck 1",
        "body_type": "chilled",
        "compartments": [{"channel": "A", "zone": "chilled", "setpoint_celsius": 3, "pallets": 16}],
        "weight_capacity_kg": 8000,
        "depot_site_id": depot,
        "shift": {"start": "00:00", "end": "23:59"},
        "device_ids": [device],
    }
    path = f"/v1/fleet/vehicles/{vid}"
    assert (await gateway.put(path, headers=dispatcher, json=vehicle)).status_code == 403, "vehicles:write"
    refused = await gateway.put(path, headers=admin, json={**vehicle, "depot_site_id": "no-such-site"})
    assert refused.status_code == 422
    assert "no active site 'no-such-site'" in refused.json()["detail"]
    created = await gateway.put(path, headers=admin, json=vehicle)
    assert created.status_code == 201, created.text
    assert (await gateway.get(path, headers=dispatcher)).json()["device_ids"] == [device]

    # Ingest's binding follows fleet.vehicles.v1: the device's fixes are the vehicle's.
    async def bound() -> dict[str, Any] | None:
        fix = {
            "device_id": device,
            "time": datetime.now(UTC).isoformat(),
            "latitude": 37.27,
            "longitude": 127.05,
        }
        posted = await gateway.post("/v1/telemetry/gps", headers=dev_key_headers(), json={"fixes": [fix]})
        assert posted.status_code == 202, posted.text
        state = await gateway.get(f"/v1/vehicles/{vid}/state", headers=dispatcher)
        return state.json() if state.status_code == 200 else None

    state = await eventually(bound, 30, interval_s=1)
    assert state["device_id"] == device

    # Dispatch's fleet follows the same topic: the vehicle serves a dispatcher's order.
    day = (datetime.now(UTC) + timedelta(days=40 + uuid.uuid4().int % 2000)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    order = {
        "order_number": f"FV-{tag}",
        "zone": "chilled",
        "pallets": 4,
        "weight_kg": 400,
        "requested_date": day.date().isoformat(),
        "pickup": {"site_id": pick, "window": window(day + timedelta(hours=1), 3)},
        "dropoff": {"site_id": drop, "window": window(day + timedelta(hours=2), 6)},
    }
    placed = await gateway.post("/v1/orders", headers=dispatcher, json=order)
    assert placed.status_code == 202, placed.text
    request = {
        "horizon_start": day.isoformat(),
        "horizon_end": (day + timedelta(days=1)).isoformat(),
        "engine": "greedy",
        "vehicle_ids": [vid],
    }

    async def planned() -> dict[str, Any] | None:
        # Dispatch's order projection may not have the order yet: ask again until it serves it.
        accepted = await gateway.post("/v1/dispatch/plans", headers=dispatcher, json=request)
        assert accepted.status_code == 202, accepted.text
        for _ in range(40):
            record = await gateway.get(accepted.json()["status_url"], headers=dispatcher)
            if record.status_code == 200 and record.json()["status"] in ("done", "failed"):
                body: dict[str, Any] = record.json()
                return body if body["status"] == "done" and body["kpis"]["orders_served"] == 1 else None
            await asyncio.sleep(0.5)
        return None

    plan = await eventually(planned, 60, interval_s=1)
    assert [r["vehicle_id"] for r in plan["routes"]] == [vid]
