"""Vehicles as master data on real PostgreSQL and Kafka: a write reaches `fleet.vehicles.v1`
through the outbox as the full record, a delete as a tombstone, and bad input is a 422
problem naming every reason. Same harness as test_orders_delivery.py."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from orders_harness import Running

from coldchain_contracts import VehicleRegistered
from coldchain_contracts.topics import FLEET_VEHICLES
from coldchain_devtools.testing import Infra, records_with_key
from coldchain_orders.vehicle_schemas import VEHICLE_EXAMPLE

pytestmark = pytest.mark.integration


async def depot(http: Any) -> str:
    site_id = f"depot-{uuid.uuid4().hex[:6]}"
    response = await http.put(f"/v1/sites/{site_id}", json={"latitude": 37.27, "longitude": 127.44})
    assert response.status_code == 201, response.text
    return site_id


def body(depot_site_id: str, **changes: Any) -> dict[str, Any]:
    return {
        **VEHICLE_EXAMPLE,
        "depot_site_id": depot_site_id,
        "device_ids": [f"dev-{uuid.uuid4().hex[:8]}"],
        **changes,
    }


async def test_write_publishes_the_record_and_delete_a_tombstone(service: Running, infra: Infra) -> None:
    http = service.http
    site_id = await depot(http)
    vehicle_id = f"truck-{uuid.uuid4().hex[:8]}"
    created = await http.put(f"/v1/fleet/vehicles/{vehicle_id}", json=body(site_id))
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert created.json()["vehicle_id"] == vehicle_id
    again = await http.put(
        f"/v1/fleet/vehicles/{vehicle_id}", json={**body(site_id), "device_ids": created.json()["device_ids"]}
    )
    assert again.status_code == 200
    assert again.json()["version"] == 1, "an unchanged PUT changes nothing"

    patched = await http.patch(f"/v1/fleet/vehicles/{vehicle_id}", json={"active": False, "name": "Truck 7b"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["version"], patched.json()["active"], patched.json()["plate"]) == (
        2,
        False,
        "12가3456",
    )
    listed = (await http.get("/v1/fleet/vehicles", params={"q": vehicle_id})).json()
    assert listed["total"] == 1
    assert listed["items"][0]["name"] == "Truck 7b"

    assert (await http.delete(f"/v1/fleet/vehicles/{vehicle_id}")).status_code == 204
    assert (await http.get(f"/v1/fleet/vehicles/{vehicle_id}")).status_code == 404
    assert (await http.delete(f"/v1/fleet/vehicles/{vehicle_id}")).status_code == 404

    records = await records_with_key(
        infra.kafka, FLEET_VEHICLES.name, vehicle_id.encode(), lambda found: len(found) >= 3, timeout_s=30
    )
    first, second = (VehicleRegistered.model_validate_json(r.value) for r in records[:2])
    assert first.active
    assert first.depot is not None
    assert first.depot.site_id == site_id
    assert (first.depot.latitude, first.shift_weekdays, first.volume_capacity_m3) == (
        37.27,
        (0, 1, 2, 3, 4),
        30,
    )
    assert (second.active, second.name) == (False, "Truck 7b")
    tombstone = records[2]
    assert tombstone.value is None, "a delete is a real tombstone (null value), not an empty record"
    assert dict(tombstone.headers)["event_type"] == b"VehicleDeleted"
    assert len(records) == 3


async def test_bad_vehicles_are_422_problems_with_every_reason(service: Running) -> None:
    http = service.http
    site_id = await depot(http)
    first = f"truck-{uuid.uuid4().hex[:8]}"
    owner = body(site_id)
    assert (await http.put(f"/v1/fleet/vehicles/{first}", json=owner)).status_code == 201

    second = f"truck-{uuid.uuid4().hex[:8]}"
    bad = body(
        "no-such-site",
        device_ids=owner["device_ids"],
        compartments=[
            {"channel": "A", "zone": "frozen", "setpoint_celsius": -5, "pallets": 8},
            {"channel": "A", "zone": "chilled", "setpoint_celsius": 3, "pallets": 6},
        ],
    )
    response = await http.put(f"/v1/fleet/vehicles/{second}", json=bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    details = [e["detail"] for e in problem["errors"]]
    assert any("used twice" in d for d in details)
    assert any("setpoint_celsius" in d and "frozen band" in d for d in details)
    assert any("'no-such-site' is not a known active site" in d for d in details)
    assert any(f"bound to vehicle {first!r}" in d for d in details)
    assert (await http.get(f"/v1/fleet/vehicles/{second}")).status_code == 404, "nothing stored"

    ambient = body(site_id, body_type="ambient")
    response = await http.put(f"/v1/fleet/vehicles/{second}", json=ambient)
    assert response.status_code == 422
    assert "ambient body" in response.json()["detail"]

    assert (await http.patch(f"/v1/fleet/vehicles/{second}", json={"active": False})).status_code == 404
    response = await http.patch(f"/v1/fleet/vehicles/{first}", json={"body_type": None})
    assert response.status_code == 422, "a required field cannot be cleared"


async def test_moving_a_device_needs_it_freed_first(service: Running) -> None:
    http = service.http
    site_id = await depot(http)
    a, b = (f"truck-{uuid.uuid4().hex[:8]}" for _ in range(2))
    first = body(site_id)
    assert (await http.put(f"/v1/fleet/vehicles/{a}", json=first)).status_code == 201
    assert (await http.put(f"/v1/fleet/vehicles/{b}", json=first)).status_code == 422
    assert (await http.patch(f"/v1/fleet/vehicles/{a}", json={"device_ids": []})).status_code == 200
    moved = await http.put(f"/v1/fleet/vehicles/{b}", json=first)
    assert moved.status_code == 201, moved.text
    assert json.loads(moved.text)["device_ids"] == first["device_ids"]
