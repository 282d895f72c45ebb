"""The web console under a large fleet, in headless Chromium (Debian's /usr/bin/chromium).

The built console (web/dist) is served to the page through Playwright's request routing
with the gateway's own CSP; the API and the `/v1/live` socket are answered by this script
(synthetic vehicle states), so the figures are the client's alone: no gateway or network
cost is in them. Measured:

- time to interactive: navigation start to the login form shown (session restore refused);
- first full render of N vehicles: from the last `/v1/vehicles` page received to the frame
  after the map drew them (clustered at the default view), and a zoomed-in redraw;
- live updates at a target rate for some seconds: rate applied in the page, main-thread
  long tasks (PerformanceObserver 'longtask', tasks over 50 ms: count, p95, max) and
  event-loop lag (a 20 ms timer's delay, p95);
- first-load bundle size, gzip (index.html, scripts, styles; the outline loads after).

    python bench/web_console.py [--vehicles 10000] [--rate 1000] [--seconds 10]

Ends with `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import socket
import time
from pathlib import Path
from typing import Any

import uvicorn
from playwright.async_api import Page, async_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from coldchain_gateway.console import content_security_policy

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "web" / "dist"
ME = {
    "id": "bench",
    "kind": "user",
    "name": "bench",
    "role": "dispatcher",
    "permissions": ["session:self", "vehicles:read", "orders:read", "plans:read"],
}


def states(count: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    now = time.time()
    made = []
    for i in range(count):
        celsius = rng.choice([3.1, 2.4, 4.8, 7.5, -19.0])
        made.append(
            {
                "vehicle_id": f"bench-{i:05d}",
                "device_id": f"dev-{i:05d}",
                "device_time": _iso(now),
                "latitude": rng.uniform(34.6, 38.0),
                "longitude": rng.uniform(126.5, 129.3),
                "speed_kmh": rng.uniform(0, 90),
                "motion": rng.choice(["moving", "moving", "stopped", "idle", "offline"]),
                "compartments": [
                    {
                        "channel": "A",
                        "zone": "chilled",
                        "band_low_celsius": 0,
                        "band_high_celsius": 5,
                        "celsius": celsius,
                        "condition": "in_band" if 0 <= celsius <= 5 else "out_of_band",
                    }
                ],
                "alerts": [],
            }
        )
    return made


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


class FakeGateway:
    """The gateway's console-facing doors, answered with synthetic data: the built files with
    the gateway's CSP, the API calls the console makes, and a `/v1/live` socket speaking the
    gateway's protocol (auth frame, ready, subscribe, subscribed, events)."""

    def __init__(self, fleet: list[dict[str, Any]]) -> None:
        self.fleet = fleet
        self.logged_in = False
        self.socket: WebSocket | None = None
        self.subscribed = asyncio.Event()
        csp = content_security_policy("")
        files = StaticFiles(directory=DIST, html=True)

        async def with_csp(scope: Scope, receive: Receive, send: Send) -> None:
            async def headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"content-security-policy", csp.encode())]
                await send(message)

            await files(scope, receive, headers)

        self.app = Starlette(
            routes=[
                Route("/v1/console/config", self.config),
                Route("/v1/auth/token", self.token, methods=["POST"]),
                Route("/v1/auth/me", self.me),
                Route("/v1/vehicles", self.vehicles),
                Route("/v1/dispatch/plans", self.plans),
                WebSocketRoute("/v1/live", self.live),
                Mount("/", app=with_csp),
            ]
        )

    async def config(self, _request: Request) -> JSONResponse:
        return JSONResponse({"tile_url": "", "tile_attribution": "", "time_zone": "Asia/Seoul"})

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("grant_type") == "password":
            self.logged_in = True
        if not self.logged_in:  # the restore on page load: no session yet
            return JSONResponse({"status": 400, "error": "invalid_request"}, status_code=400)
        return JSONResponse({"access_token": "bench", "token_type": "bearer", "expires_in": 900})

    async def me(self, _request: Request) -> JSONResponse:
        return JSONResponse(ME)

    async def vehicles(self, request: Request) -> Response:
        start = int(request.query_params.get("cursor") or 0)
        limit = int(request.query_params.get("limit") or 100)
        page = self.fleet[start : start + limit]
        following = str(start + limit) if start + limit < len(self.fleet) else None
        return JSONResponse({"count": len(page), "vehicles": page, "next_cursor": following})

    async def plans(self, _request: Request) -> JSONResponse:
        return JSONResponse({"plans": []})

    async def live(self, ws: WebSocket) -> None:
        await ws.accept()
        self.socket = ws
        try:
            while True:
                kind = json.loads(await ws.receive_text()).get("type")
                if kind == "auth":
                    await ws.send_text(json.dumps({"type": "ready"}))
                elif kind == "subscribe":
                    await ws.send_text(
                        json.dumps({"type": "subscribed", "channels": ["alerts", "vehicle_state"]})
                    )
                    self.subscribed.set()
        except WebSocketDisconnect:
            pass


FIRST_FULL_FRAME = """async (count) => {
  const map = document.querySelector('.map');
  while (map?.dataset.vehicles !== String(count)) await new Promise(r => requestAnimationFrame(r));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const painted = performance.now();
  const pages = performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/vehicles'));
  return {
    painted, drawn: Number(map.dataset.drawnAt), rendered: Number(map.dataset.rendered),
    first_request: Math.min(...pages.map(e => e.startTime)),
    last_response: Math.max(...pages.map(e => e.responseEnd)),
  };
}"""

START_WATCH = """() => {
  window.benchTasks = []; window.benchLag = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.benchTasks.push(e.duration); })
    .observe({ type: 'longtask' });
  let expected = performance.now() + 20;
  window.benchTimer = setInterval(() => { const now = performance.now(); window.benchLag.push(now - expected); expected = now + 20; }, 20);
  window.benchVersion = window.coldchainMap.store.version;
  window.benchStart = performance.now();
}"""

STOP_WATCH = """() => {
  clearInterval(window.benchTimer);
  return { tasks: window.benchTasks, lag: window.benchLag,
           applied: window.coldchainMap.store.version - window.benchVersion,
           seconds: (performance.now() - window.benchStart) / 1000 };
}"""


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def update_frames(fleet: list[dict[str, Any]], count: int) -> list[str]:
    """`count` serialised live events, each moving one vehicle a little, 1 ms apart in device
    time (so every one is newer than what the page holds); made before sending, so the
    sender's own CPU does not limit the rate."""
    rng = random.Random(1)  # noqa: S311 - synthetic data
    base = time.time() + 5
    frames = []
    for i in range(count):
        state = dict(rng.choice(fleet))
        state["latitude"] += rng.uniform(-0.002, 0.002)
        state["longitude"] += rng.uniform(-0.002, 0.002)
        state["device_time"] = _iso(base + i / 1000)
        frames.append(
            json.dumps(
                {"type": "event", "channel": "vehicle_state", "key": state["vehicle_id"], "data": state}
            )
        )
    return frames


async def push_updates(gateway: FakeGateway, frames: list[str], rate: int, seconds: float) -> int:
    """The frames at `rate` per second, in 20 ms slices."""
    assert gateway.socket is not None
    sent, began = 0, time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds and sent < len(frames):
        due = min(len(frames), int(elapsed * rate))
        for frame in frames[sent:due]:
            await gateway.socket.send_text(frame)
        sent = max(sent, due)
        await asyncio.sleep(0.02)
    return sent


def bundle_gzip_bytes() -> dict[str, int]:
    index = (DIST / "index.html").read_bytes()
    files = [
        DIST / "index.html",
        *sorted((DIST / "assets").glob("*.js")),
        *sorted((DIST / "assets").glob("*.css")),
    ]
    first_load = [f for f in files if f.name == "index.html" or f.name.encode() in index]
    return {f.name: len(gzip.compress(f.read_bytes(), 9)) for f in first_load}


async def run(vehicles: int, rate: int, seconds: float) -> dict[str, Any]:
    gateway = FakeGateway(states(vehicles))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn serves them
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(gateway.app, log_level="warning", ws="websockets-sansio"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        return await measure(gateway, f"http://127.0.0.1:{port}", vehicles, rate, seconds)
    finally:
        server.should_exit = True
        await serving


async def measure(
    gateway: FakeGateway, origin: str, vehicles: int, rate: int, seconds: float
) -> dict[str, Any]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page: Page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(f"{origin}/")
        await page.get_by_label("Username").wait_for()
        tti_ms = await page.evaluate("performance.now()")
        await page.get_by_label("Username").fill("bench")
        await page.get_by_label("Password").fill("bench")
        await page.get_by_role("button", name="Log in").click()
        frame = await page.evaluate(FIRST_FULL_FRAME, vehicles)
        zoomed_ms = await page.evaluate(
            "() => { const m = window.coldchainMap; m.map.setView([37.5, 127.0], 11, {animate: false});"
            " const t = performance.now(); m.draw(true); return [performance.now() - t, m.rendered]; }"
        )
        await asyncio.wait_for(gateway.subscribed.wait(), 30)
        await page.evaluate("() => window.coldchainMap.map.setView([36.4, 127.8], 7, {animate: false})")
        frames = update_frames(gateway.fleet, int(rate * seconds))
        await page.evaluate(START_WATCH)
        sent = await push_updates(gateway, frames, rate, seconds)
        await page.wait_for_timeout(500)
        watch = await page.evaluate(STOP_WATCH)
        await browser.close()
    sizes = bundle_gzip_bytes()
    return {
        "vehicles": vehicles,
        "time_to_interactive_ms": round(tti_ms, 1),
        "first_render_after_data_ms": round(frame["painted"] - frame["last_response"], 1),
        "first_render_from_first_request_ms": round(frame["painted"] - frame["first_request"], 1),
        "markers_and_clusters_drawn": frame["rendered"],
        "zoomed_redraw_ms": round(zoomed_ms[0], 1),
        "zoomed_items_drawn": zoomed_ms[1],
        "updates_target_per_s": rate,
        "updates_sent": sent,
        "updates_applied_per_s": round(watch["applied"] / watch["seconds"], 1),
        "long_tasks": len(watch["tasks"]),
        "long_task_p95_ms": round(p95(watch["tasks"]), 1),
        "long_task_max_ms": round(max(watch["tasks"], default=0.0), 1),
        "event_loop_lag_p95_ms": round(p95(watch["lag"]), 1),
        "bundle_gzip_bytes": sum(sizes.values()),
        "bundle_files": sizes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=1000, help="live updates per second")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        raise SystemExit("web/dist is missing: run `make install`")
    result = asyncio.run(run(args.vehicles, args.rate, args.seconds))
    for key, value in result.items():
        print(f"{key:36s} {value}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
