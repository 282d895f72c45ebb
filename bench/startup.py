"""Startup benchmark: how long `make run` takes to come up, how fast a posted fix becomes
visible, and whether Ctrl-C leaves anything behind.

    python3 bench/startup.py [--runs N]      (or `make bench-startup`)

Runs `make run` in its own process group (as a terminal would), waits for its banner,
posts one fix with the request of docs/running.md, polls `GET /v1/vehicles/{id}/state` until the
fix is visible, sends SIGINT to the group (what Ctrl-C does), and counts the Coldchain,
Kafka, PostgreSQL and Redis processes still alive afterwards. Prints one line per run
and a final `RESULT {json}`. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GATEWAY = "http://127.0.0.1:8000"
BANNER = "Coldchain is up"
# `make run` starts the gateway in dev mode, which registers this integration key
# (telemetry:ingest, vehicles:read); see docs/gateway-security.md.
DEV_KEY = {"X-API-Key": "cci_dev-ingest-key-not-for-production"}
LEFTOVER_MARKERS = ("coldchain_", "kafka.Kafka", "postgres -D", "redis-server")


def post_fix(device: str) -> None:
    body = {
        "fixes": [
            {
                "device_id": device,
                "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "latitude": 37.4979,
                "longitude": 127.0276,
                "speed_kmh": 38,
                "temperatures": [{"channel": "A", "celsius": -19.5}],
            }
        ]
    }
    request = urllib.request.Request(
        f"{GATEWAY}/v1/telemetry/gps",
        json.dumps(body).encode(),
        {"content-type": "application/json", **DEV_KEY},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202, response.status


def state_visible(device: str) -> bool:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(f"{GATEWAY}/v1/vehicles/{device}/state", headers=DEV_KEY), timeout=5
        ) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def leftovers() -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(marker in cmdline for marker in LEFTOVER_MARKERS):
            found.append(cmdline[:120])
    return found


def one_run(index: int) -> dict[str, float | int]:
    log_path = REPO / ".local" / f"bench-startup-{index}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "run"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = started + 600
        while BANNER not in log_path.read_text(errors="replace"):
            if make.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"make run did not come up; see {log_path}")
            time.sleep(0.2)
        up_s = time.monotonic() - started
        device = f"bench-{os.getpid()}-{index}"
        posted = time.monotonic()
        post_fix(device)
        while not state_visible(device):
            if time.monotonic() - posted > 30:
                raise SystemExit("posted fix not visible within 30 s")
            time.sleep(0.005)
        visible_s = time.monotonic() - posted
    finally:
        stopping = time.monotonic()
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=120)
        stop_s = time.monotonic() - stopping
    time.sleep(2)  # let late zombies be reaped before counting
    left = leftovers()
    for line in left:
        print(f"  still running: {line}")
    return {
        "up_s": round(up_s, 2),
        "fix_visible_s": round(visible_s, 3),
        "stop_s": round(stop_s, 2),
        "leftover_processes": len(left),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    runs = []
    for index in range(args.runs):
        result = one_run(index)
        print(
            f"run {index + 1}: up {result['up_s']} s, fix visible after {result['fix_visible_s']} s, "
            f"stopped in {result['stop_s']} s, {result['leftover_processes']} processes left",
            flush=True,
        )
        runs.append(result)
    print("RESULT " + json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
