"""Starting, probing and stopping the services as child processes: the one copy used by
`make run` (runner), the end-to-end test fixture (testing) and the benchmarks (bench/)."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
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
    name: str, port: int, proc: subprocess.Popen[bytes], log_path: Path, timeout_s: float = 90
) -> None:
    """Poll `/readyz` until it answers 200; NotReady if the process exits or time runs out."""
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
