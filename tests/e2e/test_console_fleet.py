"""The console's fleet admin view in a real headless Chromium: a dispatcher creates a site
(sites:write), an admin a vehicle (vehicles:write) and reads the orders service's 422
reason next to the field it names, edits and deactivates it; the dispatcher deactivates the
site; a viewer sees no write control (fixtures in conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import BrowserContext, expect

from tests.e2e.conftest import Scene, make_user, no_serious_axe_violations, open_console, shoot

pytestmark = pytest.mark.e2e


async def test_an_admin_creates_edits_and_deactivates_a_site_and_a_vehicle(
    contexts: Callable[[], Awaitable[BrowserContext]], scene: Scene
) -> None:
    admin = await make_user(scene.api, scene.admin, "admin")
    tag = uuid.uuid4().hex[:6]
    site, vehicle = f"ui-depot-{tag}", f"ui-van-{tag}"
    dispatcher = await open_console(await contexts(), scene, scene.dispatcher_name)
    await dispatcher.get_by_role("link", name="Fleet").click()
    assert await dispatcher.get_by_role("button", name="New vehicle").count() == 0
    page = dispatcher
    await page.get_by_role("button", name="New site").click()
    form = page.get_by_role("form", name="New site")
    await form.get_by_label("Site id").fill(site)
    await form.get_by_label("Name").fill("Console depot")
    await form.get_by_label("Latitude").fill("37.41")
    await form.get_by_label("Longitude").fill("127.12")
    await form.locator('button[data-action="save-site"]').click()
    site_row = page.locator(f'#fleet-sites-table tr[data-site="{site}"]')
    await expect(site_row).to_contain_text("Console depot")

    page = await open_console(await contexts(), scene, admin)
    await page.get_by_role("link", name="Fleet").click()
    assert await page.get_by_role("button", name="New site").count() == 0

    await page.get_by_role("button", name="New vehicle").click()
    form = page.get_by_role("form", name="New vehicle")
    await form.get_by_label("Vehicle id").fill(vehicle)
    await form.get_by_label("Setpoint (°C)").fill("9")  # outside the chilled band
    await form.get_by_label("Depot").select_option(site)
    await form.locator('button[data-action="save-vehicle"]').click()
    setpoint = form.get_by_label("Setpoint (°C)")
    await expect(form.locator("#err-c0-setpoint")).to_contain_text("outside the chilled band")
    await expect(setpoint).to_have_attribute("aria-invalid", "true")
    await expect(setpoint).to_have_attribute("aria-describedby", "err-c0-setpoint")
    await form.get_by_label("Vehicle id").scroll_into_view_if_needed()
    await shoot(page, "fleet")
    await no_serious_axe_violations(page)
    await setpoint.fill("3")
    await form.locator('button[data-action="save-vehicle"]').click()
    row = page.locator(f'#fleet-vehicles-table tr[data-vehicle="{vehicle}"]')
    await expect(row).to_contain_text(site)
    await expect(row).to_contain_text("A chilled 3 °C ×16")
    stored = (await scene.api.get(f"/v1/fleet/vehicles/{vehicle}", headers=scene.admin)).json()
    assert (stored["depot_site_id"], stored["compartments"][0]["setpoint_celsius"]) == (site, 3)

    await row.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name=f"Edit {vehicle}")
    await form.get_by_label("Name").fill("Renamed van")
    await form.locator('button[data-action="save-vehicle"]').click()
    await expect(row).to_contain_text("Renamed van")
    await row.get_by_role("button", name="Deactivate").click()
    await expect(row.locator('[data-field="active"]')).to_have_text("inactive")
    await dispatcher.get_by_role("button", name="Apply").click()  # reload the lists
    site_row = dispatcher.locator(f'#fleet-sites-table tr[data-site="{site}"]')
    await site_row.get_by_role("button", name="Deactivate").click()
    await expect(site_row.locator('[data-field="active"]')).to_have_text("inactive")
    stored = (await scene.api.get(f"/v1/fleet/vehicles/{vehicle}", headers=scene.admin)).json()
    assert (stored["name"], stored["active"]) == ("Renamed van", False)

    viewer = await open_console(await contexts(), scene, scene.viewer)
    await viewer.get_by_role("link", name="Fleet").click()
    await expect(viewer.locator(f'#fleet-vehicles-table tr[data-vehicle="{vehicle}"]')).to_be_visible()
    await expect(viewer.get_by_text("Read-only access")).to_be_visible()
    assert await viewer.get_by_role("button", name="New vehicle").count() == 0
    assert await viewer.get_by_role("button", name="Edit").count() == 0
    await no_serious_axe_violations(viewer)
