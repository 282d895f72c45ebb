"""Shared parts of the web console's browser tests (test_console_*.py): a real headless
Chromium (Debian's /usr/bin/chromium through Playwright) against the running system, a
scene made through the public API, and helpers that read what a person sees.

Screenshots of each view land in docs/console/ (committed; shown in the README). axe-core,
from web/node_modules, checks every view for serious or critical accessibility violations.
Test modules import the helpers as `from tests.e2e.conftest import ...` (pytest registers
this conftest under that name in importlib mode).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from coldchain_devtools.testing import REPO, RunningSystem, dev_admin_headers, dev_key_headers, eventually

CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / "docs" / "console"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
CSP_ERRORS: dict[Page, list[str]] = {}
"""Console messages of each page that report a Content-Security-Policy refusal."""
PASSWORD = "a long passphrase 42"  # pragma: allowlist secret (a test user's)


@dataclass
class Scene:
    url: str
    api: httpx.AsyncClient
    admin: dict[str, str]
    dispatcher: dict[str, str]
    viewer: str
    dispatcher_name: str
    vehicle: str
    device: str
    day: datetime
    sites: tuple[str, str]


async def make_user(api: httpx.AsyncClient, admin: dict[str, str], role: str) -> str:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    response = await api.post(
        "/v1/admin/users", headers=admin, json={"username": name, "password": PASSWORD, "role": role}
    )
    assert response.status_code == 201, response.text
    return name


async def bearer(api: httpx.AsyncClient, name: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": name, "password": PASSWORD}
    return {"Authorization": f"Bearer {(await api.post('/v1/auth/token', data=form)).json()['access_token']}"}


def fix(
    device: str, at: datetime, lat: float, lon: float, celsius: float, speed: float = 40
) -> dict[str, Any]:
    return {
        "device_id": device,
        "time": at.isoformat(),
        "latitude": lat,
        "longitude": lon,
        "speed_kmh": speed,
        "ignition": True,
        "temperatures": [{"channel": "A", "celsius": celsius, "setpoint_celsius": 3}],
    }


async def post_fixes(api: httpx.AsyncClient, fixes: list[dict[str, Any]]) -> None:
    posted = await api.post("/v1/telemetry/gps", headers=dev_key_headers(), json={"fixes": fixes})
    assert posted.status_code == 202, posted.text


@pytest.fixture(scope="module")
async def scene(running_system: RunningSystem) -> AsyncIterator[Scene]:
    """A chilled truck registered and reporting, a dispatcher and a viewer, two sites."""
    url = running_system.url("gateway")
    async with httpx.AsyncClient(base_url=url, timeout=30) as api:
        admin = await dev_admin_headers(url)
        dispatcher_name = await make_user(api, admin, "dispatcher")
        viewer = await make_user(api, admin, "viewer")
        dispatcher = await bearer(api, dispatcher_name)
        tag = uuid.uuid4().hex[:6]
        vehicle, device, hub, store = f"ui-truck-{tag}", f"ui-dev-{tag}", f"ui-hub-{tag}", f"ui-store-{tag}"
        for site, lat in ((hub, 37.30), (store, 37.50)):
            body = {"name": site, "latitude": lat, "longitude": 127.05, "zones": ["chilled"]}
            assert (await api.put(f"/v1/sites/{site}", headers=dispatcher, json=body)).status_code == 201
        truck = {
            "name": "Console truck",
            "body_type": "chilled",
            "compartments": [{"channel": "A", "zone": "chilled", "setpoint_celsius": 3, "pallets": 16}],
            "weight_capacity_kg": 8000,
            "depot_site_id": hub,
            "shift": {"start": "00:00", "end": "23:59"},
            "device_ids": [device],
        }
        created = await api.put(f"/v1/fleet/vehicles/{vehicle}", headers=admin, json=truck)
        assert created.status_code == 201, created.text

        async def reporting() -> dict[str, Any] | None:
            await post_fixes(api, [fix(device, datetime.now(UTC), 37.30, 127.05, 3.4)])
            state = await api.get(f"/v1/vehicles/{vehicle}/state", headers=dispatcher)
            body: dict[str, Any] = state.json() if state.status_code == 200 else {}
            return body if body.get("compartments") else None

        await eventually(reporting, 40, interval_s=1)
        day = (datetime.now(UTC) + timedelta(days=40 + uuid.uuid4().int % 2000)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        yield Scene(url, api, admin, dispatcher, viewer, dispatcher_name, vehicle, device, day, (hub, store))


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not (REPO / "web" / "dist" / "index.html").is_file() or shutil.which("chromium") is None:
        pytest.skip("needs `make install` (web/dist) and `make chromium`")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture
async def contexts(browser: Browser) -> AsyncIterator[Callable[[], Awaitable[BrowserContext]]]:
    """Makes browser contexts (one per user: the session cookie is per context), closed after."""
    made: list[BrowserContext] = []

    async def new() -> BrowserContext:
        # Seoul, as the operators; tiles are unreachable here, so the bundled outline shows.
        made.append(
            await browser.new_context(
                viewport={"width": 1280, "height": 800}, timezone_id="Asia/Seoul", locale="en-GB"
            )
        )
        return made[-1]

    yield new
    for context in made:
        await context.close()


@pytest.fixture
async def context(contexts: Callable[[], Awaitable[BrowserContext]]) -> BrowserContext:
    return await contexts()


async def open_console(context: BrowserContext, scene: Scene, name: str) -> Page:
    page = await context.new_page()
    errors = CSP_ERRORS.setdefault(page, [])
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    await page.goto(scene.url + "/")
    await page.get_by_label("Username").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("navigation", name="views")).to_be_visible()
    return page


async def no_serious_axe_violations(page: Page) -> None:
    """axe-core run through the DevTools protocol (not a page script, which the CSP forbids)."""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert CSP_ERRORS.get(page) == [], "the console works within its own CSP"


async def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))
