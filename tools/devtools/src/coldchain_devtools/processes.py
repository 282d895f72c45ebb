"""Starting, probing and stopping the services as child processes: the one copy used by
`make run` (runner), the end-to-end test fixture (testing), the simulated day (sim_system)
and the benchmarks (bench/)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

SERVICES = ("tracking", "ingest", "orders", "dispatch", "notify", "gateway")
PR_SET_PDEATHSIG = 1


class NotReady(RuntimeError):
    """A service exited or did not answer /readyz in time; the message has its log's tail."""


def _die_with_parent() -> None:
    """Runs in the child: ask Linux to SIGTERM it if its parent dies, even by SIGKILL."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_module(
    module: str,
    *args: str,
    env: Mapping[str, str],
    log_path: Path,
    own_session: bool = False,
) -> subprocess.Popen[bytes]:
    """`python -m module args` with stdout and stderr appended to `log_path`.

    `own_session` puts it in a session of its own, so a Ctrl-C reaches only the parent
    (which then stops the children in order) and the child dies with the parent.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=own_session,
            preexec_fn=_die_with_parent if own_session and sys.platform == "linux" else None,
        )


def _tail(log_path: Path, chars: int = 3000) -> str:
    try:
        return log_path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def wait_ready(
    name: str, port: int, proc: subprocess.Popen[bytes], log_path: Path, timeout_s: float | None = None
) -> None:
    """Poll `/readyz` until it answers 200; NotReady if the process exits or time runs out
    (default 180 s, or `COLDCHAIN_READY_TIMEOUT_S`: five services importing at once on a
    loaded two-core machine have taken over 90 s)."""
    if timeout_s is None:
        timeout_s = float(os.environ.get("COLDCHAIN_READY_TIMEOUT_S", "180"))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NotReady(f"{name} exited ({proc.returncode}); {log_path}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise NotReady(f"{name} not ready after {timeout_s:.0f}s; {log_path}:\n{_tail(log_path)}")


def stop_all(procs: Mapping[str, subprocess.Popen[bytes]], timeout_s: float = 20) -> None:
    """SIGTERM every process (in reverse start order), wait for all, SIGKILL what lingers."""
    for proc in reversed(list(procs.values())):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def service_env(
    ports: Mapping[str, int], *, kafka: str, database_url: str, redis_url: str, **extra: str
) -> dict[str, str]:
    """The environment of the services on `ports`: the infrastructure, each one's HTTP
    port, and the gateway's address of every other; `extra` settings last (they win)."""
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **{
            f"GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}"
            for name in SERVICES
            if name != "gateway"
        },
        **{f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()},
        **extra,
    }


@contextmanager
def all_services(
    env: Mapping[str, str], ports: Mapping[str, int], log_dir: Path, timeout_s: float | None = None
) -> Iterator[None]:
    """Every service (`SERVICES`) started with `env`, each ready on its port of `ports` (NotReady
    otherwise), and stopped on exit; logs in `log_dir/<service>.log`."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in SERVICES:
            procs[name] = start_module(f"coldchain_{name}", env=env, log_path=log_dir / f"{name}.log")
        for name in SERVICES:
            wait_ready(name, ports[name], procs[name], log_dir / f"{name}.log", timeout_s)
        yield
    finally:
        stop_all(procs)
