"""Running programs: short commands, detached servers, pid files, stopping, port probes, locks."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .config import HOST
from .errors import InfraError
from .signals import signals_deferred

STOP_TIMEOUT = 30.0


def run(cmd: list[str]) -> str:
    """Run a short command quietly; on failure raise with its output, which says why."""
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        raise InfraError(f"command failed ({proc.returncode}): {shlex.join(cmd)}\n{output}")
    return proc.stdout


def run_visible(cmd: list[str], env: dict[str, str] | None = None) -> None:
    """Run a slow command (apt-get) with its output shown, so progress is visible."""
    sys.stdout.flush()
    if subprocess.run(cmd, stdin=subprocess.DEVNULL, env=env).returncode != 0:
        raise InfraError(f"command failed: {shlex.join(cmd)} (see its output above)")


def process_alive(pid: int, marker: str) -> bool:
    """True if pid runs and its command line contains marker.

    The marker guards against a stale pid file whose pid now belongs to another program;
    zombies count as dead because a container's init may reap them late or never.
    """
    try:
        proc_stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    state = proc_stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X") and marker in cmdline


def read_pid(path: Path) -> int | None:
    """First line of a pid file (postmaster.pid has more lines), or None if unreadable."""
    try:
        return int(path.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def terminate(pid: int, marker: str) -> None:
    """SIGTERM the process (and its group when it leads one), SIGKILL it after STOP_TIMEOUT."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if not process_alive(pid, marker):
                return
            time.sleep(0.2)
    raise InfraError(f"process {pid} survived SIGKILL")


def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on HOST:port."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


def recv_exact(sock: socket.socket, size: int) -> bytes:
    """Read exactly size bytes: TCP may deliver a reply in pieces."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


def spawn_detached(cmd: list[str], log: Path, pid_file: Path) -> None:
    """Start a long-lived server in its own session, detached from our terminal and pipes.

    stdin/stdout/stderr must not be inherited: `make test | tee` would otherwise wait
    forever for the pipe to close. Signals are deferred until the pid file is written:
    without it `down` and up's cleanup could not find the server.
    """
    with signals_deferred(), log.open("ab") as out:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            pid_file.write_text(f"{proc.pid}\n")
        except OSError:  # e.g. disk full: a server we cannot track must not keep running
            os.killpg(proc.pid, signal.SIGKILL)
            raise


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Serialise concurrent runs (e.g. two terminals) that would touch the same files."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
