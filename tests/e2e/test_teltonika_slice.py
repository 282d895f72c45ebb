"""A Teltonika device over TCP → ingest → Kafka → tracking → gateway, on the real system.

The device is registered through the gateway (`PUT /v1/devices/{id}` → `fleet.devices.v1`
→ ingest's registry), connects to ingest's Teltonika server, and is acknowledged only
after its fixes are on `telemetry.gps.raw.v1`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from coldchain_contracts import RawFixReceived
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_devtools.teltonika.encode import handshake, packet
from coldchain_devtools.testing import Infra, RunningSystem, dev_admin_headers, eventually, find_record
from coldchain_ingest.protocols.teltonika.codec import CODEC_8_EXTENDED, AvlRecord, GpsElement, IoElement

pytestmark = pytest.mark.e2e


@pytest.fixture
async def gateway(running_system: RunningSystem) -> Any:
    headers = await dev_admin_headers(running_system.url("gateway"))  # registers devices: admin
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=10, headers=headers
    ) as client:
        yield client


def imei() -> str:
    return str(uuid.uuid4().int)[:15]


def avl(at: datetime, temp_a_tenths: int) -> AvlRecord:
    gps = GpsElement(
        longitude=127.0276, latitude=37.4979, altitude_m=38, angle=90, satellites=11, speed_kmh=52
    )
    io = (
        IoElement(239, 1, 1),
        IoElement(240, 1, 1),
        IoElement(66, 2, 27650),
        IoElement(72, 4, temp_a_tenths & 0xFFFFFFFF),
        IoElement(73, 4, 3000),  # Dallas 2 not connected
    )
    return AvlRecord(int(at.timestamp() * 1000), 0, gps, 239, len(io), io)


async def registered(gateway: httpx.AsyncClient, device_id: str, vehicle_id: str | None) -> None:
    body = {"vehicle_id": vehicle_id, "protocol": "teltonika"}
    response = await gateway.put(f"/v1/devices/{device_id}", json=body)
    assert response.status_code == 202, response.text

    async def visible() -> dict[str, Any] | None:
        r = await gateway.get(f"/v1/devices/{device_id}")
        return r.json() if r.status_code == 200 else None

    device = await eventually(visible, timeout_s=15)
    assert (device["vehicle_id"], device["protocol"], device["active"]) == (vehicle_id, "teltonika", True)


async def handshake_answer(port: int, device_id: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(handshake(device_id))
        return await asyncio.wait_for(reader.readexactly(1), 10)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_registered_device_is_acknowledged_after_kafka_and_reaches_live_state(
    gateway: httpx.AsyncClient, running_system: RunningSystem, infra: Infra
) -> None:
    device_id, vehicle = imei(), f"truck-{uuid.uuid4().hex[:8]}"
    port = running_system.teltonika_port
    # Registry refresh is periodic on every replica; wait until ingest accepts the device.
    await registered(gateway, device_id, vehicle)

    async def accepted() -> bool | None:
        return True if await handshake_answer(port, device_id) == b"\x01" else None

    await eventually(accepted, timeout_s=15, interval_s=0.5)

    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=3)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(handshake(device_id))
        assert await asyncio.wait_for(reader.readexactly(1), 10) == b"\x01"
        writer.write(packet([avl(at - timedelta(seconds=5), -181), avl(at, -195)], CODEC_8_EXTENDED))
        ack = await asyncio.wait_for(reader.readexactly(4), 15)
    finally:
        writer.close()
        await writer.wait_closed()
    print(f"acknowledged after {time.monotonic() - started:.3f}s")
    assert int.from_bytes(ack, "big") == 2

    record = await find_record(
        infra.kafka,
        TELEMETRY_RAW.name,
        lambda r: r.key == device_id.encode() and b'"teltonika"' in (r.value or b""),
    )
    raw = RawFixReceived.model_validate_json(record.value)
    assert (raw.source, raw.fix.gps_valid, raw.fix.battery_v) == ("teltonika", True, 27.65)

    async def live_state() -> dict[str, Any] | None:
        response = await gateway.get(f"/v1/vehicles/{vehicle}/state")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if body["device_time"] == at.isoformat().replace("+00:00", "Z") else None

    live = await eventually(live_state, timeout_s=15)
    assert (live["latitude"], live["longitude"], live["speed_kmh"]) == (37.4979, 127.0276, 52.0)
    by_channel = {t["channel"]: t for t in live["temperatures"]}
    assert by_channel["A"]["celsius"] == -19.5
    assert by_channel["B"]["state"] == "probe_disconnected"


async def test_an_unregistered_device_is_refused(running_system: RunningSystem) -> None:
    assert await handshake_answer(running_system.teltonika_port, imei()) == b"\x00"


async def test_a_deactivated_device_is_refused(
    gateway: httpx.AsyncClient, running_system: RunningSystem
) -> None:
    device_id = imei()
    port = running_system.teltonika_port
    await registered(gateway, device_id, f"veh-{device_id}")  # ports know devices bound to a vehicle

    async def accepted() -> bool | None:
        return True if await handshake_answer(port, device_id) == b"\x01" else None

    await eventually(accepted, timeout_s=15, interval_s=0.5)
    response = await gateway.put(f"/v1/devices/{device_id}", json={"protocol": "teltonika", "active": False})
    assert response.status_code == 202

    async def refused() -> bool | None:
        return True if await handshake_answer(port, device_id) == b"\x00" else None

    await eventually(refused, timeout_s=15, interval_s=0.5)
