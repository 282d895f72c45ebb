"""A fix sent the way Traccar Client sends it reaches live state, on the real system.

Device → ingest's OsmAnd listener → telemetry.gps.raw.v1 → ingest → telemetry.gps.v1 →
tracking → gateway. The device is registered through the gateway and bound to a vehicle
of its own id (the port refuses devices not bound to a vehicle outside dev mode).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from coldchain_devtools.testing import RunningSystem, dev_key_headers, eventually, register_device

pytestmark = pytest.mark.e2e


async def test_a_traccar_client_fix_becomes_live_state(running_system: RunningSystem) -> None:
    device = f"osm-e2e-{uuid.uuid4().hex[:8]}"
    await register_device(running_system.url("gateway"), device, "osmand", vehicle_id=device)
    at = int(datetime.now(UTC).timestamp()) - 2
    async with httpx.AsyncClient(timeout=10, headers=dev_key_headers()) as http:

        async def sent() -> bool | None:  # the port learns of the device within a refresh
            response = await http.get(
                f"{running_system.device_url('osmand')}/?id={device}&timestamp={at}&lat=37.5665&lon=126.9780"
                "&speed=10.5&bearing=90&altitude=35&accuracy=5&batt=87.5&temp1=-19.5"
            )
            if response.status_code == 400 and "not registered" in response.text:
                return None
            assert response.status_code == 200, response.text
            return True

        await eventually(sent, timeout_s=15)

        async def live_state() -> dict[str, Any] | None:
            state = await http.get(f"{running_system.url('gateway')}/v1/vehicles/{device}/state")
            if state.status_code == 404:
                return None
            assert state.status_code == 200, state.text
            body: dict[str, Any] = state.json()
            return body

        live = await eventually(live_state, timeout_s=20)
    assert (live["latitude"], live["longitude"]) == (37.5665, 126.978)
    assert live["speed_kmh"] == pytest.approx(19.446)
    assert live["device_time"] == datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
    assert live["temperatures"][0]["celsius"] == -19.5
