"""The demo's closed loop, timed: how long after `make run` starts a plan has served orders,
the first order is delivered, its temperature record answers with a verdict, the failing
reefer unit's excursion opens, and dispatch re-plans around it.

    python3 bench/demo_loop.py [--timeout-min 20]      (or `make bench-demo-loop`)

Runs `make run` in its own process group (as `bench/startup.py` does) and watches it only
through the gateway's public API as the dev admin would: `GET /v1/dispatch/plans`,
`GET /v1/orders?status=delivered`, `GET /v1/orders/{id}/temperature-record`,
`GET /v1/vehicles/sim-truck-03/excursions`. Every time is
measured from the start of `make run`. Prints progress every 30 s and ends with
`RESULT {json}`; Ctrl-C (SIGINT to the group) stops the demo at the end. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import BANNER, GATEWAY, REPO  # a sibling script, not a package

DEV_ADMIN = ("admin", "coldchain-dev-admin")  # docs/gateway-security.md: dev mode only
FAILING_TRUCK = "sim-truck-03"  # the simulator's default --failing-truck (docs/fleet.md)


def token() -> dict[str, str]:
    body = urllib.parse.urlencode(
        {"grant_type": "password", "username": DEV_ADMIN[0], "password": DEV_ADMIN[1]}
    )
    request = urllib.request.Request(
        f"{GATEWAY}/v1/auth/token", body.encode(), {"content-type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return {"Authorization": f"Bearer {json.load(response)['access_token']}"}


def get(path: str, headers: dict[str, str], **params: Any) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(
        urllib.request.Request(f"{GATEWAY}{path}{query}", headers=headers), timeout=30
    ) as r:
        return json.load(r)


def served_plan(headers: dict[str, str]) -> dict[str, Any] | None:
    plans = get("/v1/dispatch/plans", headers, limit=50)["plans"]
    return next((p for p in plans if p["status"] == "done" and (p["kpis"] or {}).get("orders_served")), None)


def first_excursion(headers: dict[str, str], since: str) -> dict[str, Any] | None:
    found = get(f"/v1/vehicles/{FAILING_TRUCK}/excursions", headers, **{"from": since})["excursions"]
    return found[0] if found else None


def breakdown_plan(headers: dict[str, str]) -> dict[str, Any] | None:
    plans = get("/v1/dispatch/plans", headers, limit=50)["plans"]
    return next((p for p in plans if p["kind"] == "breakdown"), None)


def watch(headers: dict[str, str], started: float, deadline: float, since: str) -> dict[str, Any]:
    """Poll until the loop has closed (record verdict) and the failing unit's excursion has
    been re-planned, or until the deadline; what was seen by then is the result."""
    found: dict[str, Any] = {}
    last_report = 0.0
    while time.monotonic() < deadline and not {"verdict", "breakdown_replan_s"} <= found.keys():
        elapsed = round(time.monotonic() - started, 1)
        try:
            if "plan_served_s" not in found and (plan := served_plan(headers)):
                found |= {"plan_served_s": elapsed, "orders_served": plan["kpis"]["orders_served"]}
            if "delivered_s" not in found:
                delivered = get("/v1/orders", headers, status="delivered", limit=1)["items"]
                if delivered:
                    found |= {"delivered_s": elapsed, "order_id": delivered[0]["order_id"]}
            if "order_id" in found and "verdict" not in found:
                record = get(f"/v1/orders/{found['order_id']}/temperature-record", headers)
                if record.get("verdict"):
                    found |= {"record_s": elapsed, "verdict": record["verdict"]}
            if "excursion_s" not in found and (excursion := first_excursion(headers, since)):
                found |= {"excursion_s": elapsed, "excursion_channel": excursion["channel"]}
            if "breakdown_replan_s" not in found and (replan := breakdown_plan(headers)):
                found |= {"breakdown_replan_s": elapsed, "breakdown_status": replan["status"]}
        except (urllib.error.URLError, TimeoutError) as exc:
            print(f"  {elapsed} s: {exc}", flush=True)
        if elapsed - last_report >= 30:
            last_report = elapsed
            print(f"  {elapsed} s: {json.dumps(found)}", flush=True)
        time.sleep(2)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout-min", type=float, default=20)
    args = parser.parse_args()
    log_path = REPO / ".local" / "bench-demo-loop.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    since = datetime.now(UTC).isoformat()
    deadline = started + args.timeout_min * 60
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "run"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        while BANNER not in log_path.read_text(errors="replace"):
            if make.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"make run did not come up; see {log_path}")
            time.sleep(0.5)
        up_s = round(time.monotonic() - started, 1)
        print(f"make run up after {up_s} s; watching the public API", flush=True)
        found = {"up_s": up_s, **watch(token(), started, deadline, since)}
    finally:
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=120)
    found["within_10_min"] = found.get("record_s", float("inf")) <= 600
    print("RESULT " + json.dumps(found))


if __name__ == "__main__":
    main()
