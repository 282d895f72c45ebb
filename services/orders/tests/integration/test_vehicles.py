"""Vehicles as master data on real PostgreSQL and Kafka: every write through the orders API
reaches `fleet.vehicles.v1` via the outbox, a delete as a tombstone, refusals as 422
problems with every reason, and a vehicles import reported row by row."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from orders_harness import Running

from coldchain_contracts import VehicleRegistered
from coldchain_contracts.topics import FLEET_VEHICLES
from coldchain_devtools.testing import Infra, records_with_key

pytestmark = pytest.mark.integration


async def depot(service: Running) -> str:
    site_id = f"DEPOT-{uuid.uuid4().hex[:6]}"
    response = await service.http.put(f"/v1/sites/{site_id}", json={"latitude": 37.2, "longitude": 127.4})
    assert response.status_code == 201, response.text
    return site_id


def body(depot_site_id: str, device: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Truck 07",
        "plate": "12가3456",
        "body_type": "dual",
        "compartments": [
            {"channel": "A", "zone": "frozen", "setpoint_celsius": -20, "pallets": 8},
            {"channel": "B", "zone": "chilled", "setpoint_celsius": 3, "pallets": 6},
        ],
        "depot_site_id": depot_site_id,
        "shift": {"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"},
        "device_ids": [device],
        **changes,
    }


async def test_a_vehicle_is_published_changed_deactivated_and_deleted(service: Running, infra: Infra) -> None:
    vid, device, site = f"truck-{uuid.uuid4().hex[:6]}", f"dev-{uuid.uuid4().hex[:6]}", await depot(service)
    created = await service.http.put(f"/v1/fleet/vehicles/{vid}", json=body(site, device))
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert created.json()["depot_site_id"] == site
    again = await service.http.put(f"/v1/fleet/vehicles/{vid}", json=body(site, device))
    assert again.status_code == 200
    assert again.json()["version"] == 1, "an unchanged PUT publishes nothing"
    off = await service.http.patch(f"/v1/fleet/vehicles/{vid}", json={"active": False})
    assert off.status_code == 200
    assert off.json()["active"] is False
    assert off.json()["version"] == 2
    assert (await service.http.get(f"/v1/fleet/vehicles/{vid}")).json()["name"] == "Truck 07"
    listed = (await service.http.get("/v1/fleet/vehicles", params={"q": vid})).json()
    assert [v["vehicle_id"] for v in listed["items"]] == [vid]
    assert listed["total"] == 1
    assert (await service.http.delete(f"/v1/fleet/vehicles/{vid}")).status_code == 204
    assert (await service.http.get(f"/v1/fleet/vehicles/{vid}")).status_code == 404

    records = await records_with_key(infra.kafka, FLEET_VEHICLES.name, vid.encode(), lambda rs: len(rs) >= 3)
    first, second = (VehicleRegistered.model_validate_json(r.value) for r in records[:2])
    assert first.active
    assert not second.active
    assert first.depot is not None
    assert (first.depot.latitude, first.depot.site_id) == (37.2, site)
    assert first.device_ids == (device,)
    assert first.compartments[0].setpoint_celsius == -20
    assert records[2].value is None, "a delete is a tombstone"
    # The device is free again once its vehicle is deleted.
    other = await service.http.put(f"/v1/fleet/vehicles/{vid}-2", json=body(site, device))
    assert other.status_code == 201, other.text


async def test_bad_vehicles_are_422_problems_with_every_reason(service: Running) -> None:
    site, device = await depot(service), f"dev-{uuid.uuid4().hex[:6]}"
    assert (
        await service.http.put(f"/v1/fleet/vehicles/t-{device}", json=body(site, device))
    ).status_code == 201
    parts = [
        {"channel": "A", "zone": "frozen", "setpoint_celsius": -5, "pallets": 8},
        {"channel": "A", "zone": "chilled", "pallets": 6},
    ]
    refused = await service.http.put(
        f"/v1/fleet/vehicles/t2-{device}", json=body("no-such-site", device, compartments=parts)
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    reasons = refused.json()["errors"]
    assert any("channel 'A' is used by 2" in r for r in reasons)
    assert any("outside the frozen band" in r for r in reasons)
    assert any("no active site 'no-such-site'" in r for r in reasons)
    assert any(f"{device!r} is bound to vehicle 't-{device}'" in r for r in reasons)
    assert (await service.http.patch("/v1/fleet/vehicles/nobody", json={"active": False})).status_code == 404
    assert (await service.http.delete("/v1/fleet/vehicles/nobody")).status_code == 404


async def test_a_vehicles_import_reports_each_row(service: Running) -> None:
    site, tag = await depot(service), uuid.uuid4().hex[:6]
    lines = [
        "vehicle_id,name,body_type,compartments,depot_site_id,shift_weekdays,shift_start,shift_end,device_ids",
        f"imp-{tag}-1,Truck 1,frozen,A:frozen:-20:10,{site},Mon-Sat,06:00,16:00,imp-dev-{tag}-1",
        f"imp-{tag}-2,Truck 2,chilled,A:chilled:12:10,{site},,,,",
        f"imp-{tag}-3,Truck 3,ambient,A:ambient::8,{site},,,,imp-dev-{tag}-1",
        f"imp-{tag}-1,again,frozen,A:frozen:-20:10,{site},,,,",
    ]
    response = await service.http.post("/v1/imports/vehicles", content="\n".join(lines).encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(a["line"], a["vehicle_id"]) for a in report["accepted"]] == [(2, f"imp-{tag}-1")]
    assert [r["line"] for r in report["rejected"]] == [3, 4, 5]
    assert "outside the chilled band" in report["rejected"][0]["reason"]
    assert "is bound to vehicle" in report["rejected"][1]["reason"]
    assert "already on line 2" in report["rejected"][2]["reason"]
    imported = (await service.http.get(f"/v1/fleet/vehicles/imp-{tag}-1")).json()
    assert imported["shift"]["weekdays"] == [0, 1, 2, 3, 4, 5]
    template = await service.http.get("/v1/imports/vehicles/template.csv")
    assert template.status_code == 200
    assert b"compartments" in template.content
