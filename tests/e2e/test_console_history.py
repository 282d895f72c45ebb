"""The console's history view in a real headless Chromium: a truck's drive, halt and drive
again posted through the public telemetry API become a track on the map, trips and stops
found by tracking, and a temperature chart per compartment (fixtures in conftest.py)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import BrowserContext, expect

from coldchain_devtools.testing import eventually
from tests.e2e.conftest import Scene, no_serious_axe_violations, open_console, post_fixes, shoot

pytestmark = pytest.mark.e2e


def drive(device: str, start: datetime) -> list[dict[str, Any]]:
    """Every 30 s: 8 min north at 40 km/h, 6 min halted, then on north until now."""
    fixes: list[dict[str, Any]] = []
    lat, at = 37.20, start
    while at <= datetime.now(UTC):
        minute = (at - start).total_seconds() / 60
        moving = not 8 <= minute < 14
        if moving and fixes:
            lat += 0.003  # ~333 m in 30 s
        fixes.append(
            {
                "device_id": device,
                "time": at.isoformat(),
                "latitude": round(lat, 6),
                "longitude": 127.10,
                "speed_kmh": 40 if moving else 0,
                "ignition": True,
                "temperatures": [
                    {"channel": "A", "celsius": -19.5 + (minute % 3) / 3, "setpoint_celsius": -20},
                    {"channel": "B", "celsius": 3.2 + (minute % 4) / 4, "setpoint_celsius": 3},
                ],
            }
        )
        at += timedelta(seconds=30)
    return fixes


async def test_a_vehicles_history_shows_its_track_trips_stops_and_temperatures(
    context: BrowserContext, scene: Scene
) -> None:
    tag = uuid.uuid4().hex[:6]
    vehicle, device = f"ui-hist-{tag}", f"ui-hist-dev-{tag}"
    truck = {
        "body_type": "dual",
        "compartments": [
            {"channel": "A", "zone": "frozen", "setpoint_celsius": -20, "pallets": 8},
            {"channel": "B", "zone": "chilled", "setpoint_celsius": 3, "pallets": 8},
        ],
        "depot_site_id": scene.sites[0],
        "device_ids": [device],
    }
    created = await scene.api.put(f"/v1/fleet/vehicles/{vehicle}", headers=scene.admin, json=truck)
    assert created.status_code == 201, created.text
    start = (datetime.now(UTC) - timedelta(minutes=20)).replace(second=0, microsecond=0)
    probes = iter(range(10_000))

    async def bound() -> bool | None:
        # Ingest binds the device once fleet.vehicles.v1 reached it; probes lie before the range shown.
        probe = {
            **drive(device, start)[0],
            "time": (start - timedelta(minutes=4, seconds=-next(probes))).isoformat(),
        }
        await post_fixes(scene.api, [probe])
        state = await scene.api.get(f"/v1/vehicles/{vehicle}/state", headers=scene.dispatcher)
        return True if state.status_code == 200 else None

    await eventually(bound, 40, interval_s=1)
    fixes = drive(device, start)
    await post_fixes(scene.api, fixes)

    async def stop_found() -> bool | None:
        stops = await scene.api.get(f"/v1/vehicles/{vehicle}/stops", headers=scene.dispatcher)
        return True if stops.status_code == 200 and stops.json()["stops"] else None

    await eventually(stop_found, 60, interval_s=1)

    page = await open_console(context, scene, scene.dispatcher_name)
    await page.get_by_role("link", name="History").click()
    form = page.get_by_role("form", name="Show a vehicle's history")
    await form.get_by_label("Vehicle").select_option(vehicle)
    # Seoul, as the browser context: from the drive's first fix until after now.
    seoul = timedelta(hours=9)
    await form.get_by_label("From").fill((start + seoul).strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_label("To").fill(
        (datetime.now(UTC) + timedelta(minutes=5) + seoul).strftime("%Y-%m-%dT%H:%M")
    )
    await form.locator('button[data-action="show-history"]').click()

    history = page.locator(f'.history[data-vehicle="{vehicle}"]')
    await expect(history.locator('[data-field="counts"]')).to_contain_text(f"{len(fixes)} positions")
    await expect(page.locator("path.history-track")).to_be_attached()
    stops = history.locator("table.stops tbody tr")
    await expect(stops).to_have_count(1)
    await expect(stops.first).to_contain_text("6 min")  # 8th to 14th minute
    trips = history.locator("table.trips tbody tr")
    await expect(trips).to_have_count(2)  # before and after the halt
    await expect(trips.first).to_contain_text(" km")
    await expect(page.locator(".history-stop")).to_have_count(1)
    for channel in ("A", "B"):
        chart = history.locator(f'figure.temp-chart[data-channel="{channel}"]')
        await expect(chart.locator("svg")).to_have_attribute("data-points", str(len(fixes)))
        await expect(chart.locator("path.temp-line")).to_have_attribute(
            "d", re.compile(r"^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$")
        )
    await expect(history.locator('figure[data-channel="A"] figcaption')).to_contain_text("max -18.7 °C")

    # Replay: the slider moves the cursor along the track; a stop's start jumps to it.
    slider = history.get_by_label("Replay")
    await slider.focus()
    await page.keyboard.press("Home")
    at_start = await history.locator('[data-field="replay-at"]').inner_text()
    await stops.first.get_by_role("button").click()
    await expect(history.locator('[data-field="replay-at"]')).not_to_have_text(at_start)
    await expect(history.locator('[data-field="replay-at"]')).to_contain_text("0 km/h")
    await expect(page.locator("path.history-cursor")).to_be_attached()
    await shoot(page, "history")
    await no_serious_axe_violations(page)
