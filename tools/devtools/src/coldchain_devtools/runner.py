"""Run the whole system locally: topics, five services, the simulator.

Infrastructure (Kafka, PostgreSQL, Redis) is started before this by
`deploy/local/infra.py up`. Each service runs as its own process in its own session
(so Ctrl-C reaches only this supervisor, which then stops them in order), logging to
`.local/logs/<service>.log`. A process that dies is restarted with backoff
(`supervisor.py`); the others keep running.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import time
from pathlib import Path

from coldchain_devtools.processes import NotReady, start_module, stop_all, wait_ready
from coldchain_devtools.simulator import DEV_INGEST_KEY
from coldchain_devtools.supervisor import Supervisor
from coldchain_devtools.topics import ensure_topics
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

DEFAULT_PORTS = {
    "tracking": 8002,
    "ingest": 8001,
    "orders": 8003,
    "dispatch": 8004,
    "notify": 8005,
    "gateway": 8000,
}
# Each service reads <SVC>_HTTP_PORT itself; the supervisor reads the same to probe it.
SERVICES = {
    name: int(os.environ.get(f"{name.upper()}_HTTP_PORT", port)) for name, port in DEFAULT_PORTS.items()
}
REPO = Path(__file__).resolve().parents[4]
LOGS = Path(os.environ.get("COLDCHAIN_LOCAL_DIR") or REPO / ".local") / "logs"
# `make run` is a developer's machine: the gateway accepts its documented dev credentials
# (docs/gateway-security.md). Set GATEWAY_DEV_MODE=false and real secrets to try production mode.
# The demo also shortens tracking's reorder buffer (the simulator posts in order), so a
# site visit is final, and an order picked up or delivered, 30 s after it happens, not 2 min.
DEV_ENV = {
    "GATEWAY_DEV_MODE": "true",
    "COLDCHAIN_INTERNAL_TOKEN": DEV_INTERNAL_TOKEN,  # the service credential of the internal APIs
    "TRACKING_LATENESS_S": "30",
    "TRACKING_FLUSH_AFTER_S": "30",
}
DEV_ADMIN = (
    os.environ.get("GATEWAY_ADMIN_USERNAME", "admin"),
    os.environ.get("GATEWAY_ADMIN_PASSWORD", "coldchain-dev-admin"),
)


def start(name: str, module: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**DEV_ENV, **os.environ, "PYTHONUNBUFFERED": "1"}
    return start_module(module, *args, env=env, log_path=LOGS / f"{name}.log", own_session=True)


def main() -> None:
    started = time.monotonic()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    created = asyncio.run(ensure_topics(bootstrap))
    print(f"topics ready ({len(created)} created)", flush=True)
    supervisor = Supervisor(log=lambda line: print(line, flush=True))

    def on_signal(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name in SERVICES:
            supervisor.add(name, functools.partial(start, name, f"coldchain_{name}"))
        for name, port in SERVICES.items():
            try:
                wait_ready(name, port, supervisor.children[name].proc, LOGS / f"{name}.log", 120)
            except NotReady as exc:
                raise SystemExit(str(exc)) from None
            print(f"  {name:9s} ready on http://127.0.0.1:{port}", flush=True)
        gateway = f"http://127.0.0.1:{SERVICES['gateway']}"
        supervisor.add(
            "simulator",
            functools.partial(start, "simulator", "coldchain_devtools.simulator", "--gateway", gateway),
        )
        print_banner(time.monotonic() - started)
        # Until Ctrl-C: a process that dies is restarted with backoff (supervisor.py).
        while True:
            supervisor.poll()
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(supervisor.processes(), timeout_s=15)
        with contextlib.suppress(OSError):  # the terminal may be gone already
            print("services stopped", flush=True)


CURL_EXAMPLE = (
    "curl -s -X POST {gateway}/v1/telemetry/gps -H 'content-type: application/json' -H \"X-API-Key: $KEY\" \\\n"
    '    -d \'{"fixes":[{"device_id":"truck-1","time":"\'$(date -u +%Y-%m-%dT%H:%M:%SZ)\'",'
    '"latitude":37.4979,"longitude":127.0276,"speed_kmh":38,'
    '"temperatures":[{"channel":"A","celsius":-19.5}]}]}\''
)


def print_banner(elapsed_s: float) -> None:
    gateway = f"http://127.0.0.1:{SERVICES['gateway']}"
    user, password = DEV_ADMIN
    print(
        f"""
Coldchain is up ({elapsed_s:.0f}s). 20 simulated trucks report every 5 s (device ids sim-0001…sim-0020).
The simulator seeds an operator through the API: sites, 20 vehicles (sim-truck-01…20, bound to
those devices), a dispatcher (sim-dispatcher), orders for today and tomorrow, and a plan.

  Web console   {gateway}/      (log in as below; docs/console.md)
  Gateway API   {gateway}      OpenAPI docs: {gateway}/docs
  Logs          {LOGS}/

Dev mode: log in as {user} / {password} (or use the dev ingest key below); see docs/gateway-security.md.
  KEY={DEV_INGEST_KEY}
  TOKEN=$(curl -s {gateway}/v1/auth/token -d grant_type=password -d username={user} -d password={password} \\
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

Post a fix and read it back:
  {CURL_EXAMPLE.replace("{gateway}", gateway)}
  curl -s {gateway}/v1/vehicles/truck-1/state -H "Authorization: Bearer $TOKEN"
  curl -s "{gateway}/v1/vehicles/sim-0001/positions" -H "Authorization: Bearer $TOKEN"

Press Ctrl-C to stop everything.
""",
        flush=True,
    )


if __name__ == "__main__":
    main()
