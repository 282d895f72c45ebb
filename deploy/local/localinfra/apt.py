"""Installing missing programs with apt-get, without letting their packages start system services."""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .errors import InfraError
from .processes import process_alive, read_pid, run_visible, terminate

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
# Keep the text as it is: is_our_policy() must also recognise a policy left behind by a
# killed run of an older version.
POLICY_MARKER = "# written by coldchain deploy/local/infra.py during apt-get install"


def require_tool(name: str, apt_package: str) -> str:
    """Path of a program, installed through apt if missing (only a fresh machine needs that)."""
    path = shutil.which(name)
    if path is None:
        apt_install(apt_package)
        path = shutil.which(name)
    if path is None:
        raise InfraError(f"{name} not found even after installing {apt_package}")
    return path


@functools.cache
def apt_update() -> None:
    """Refresh package lists once per run; a failing third-party source is not fatal."""
    if subprocess.run(["apt-get", "update", "-q"], stdin=subprocess.DEVNULL).returncode != 0:
        print("warning: apt-get update reported errors; trying to install anyway", file=sys.stderr)


def is_our_policy(path: Path) -> bool:
    """Whether path holds the blocking policy that services_blocked() writes."""
    try:
        return POLICY_MARKER in path.read_text(errors="replace")
    except OSError:
        return False


@contextlib.contextmanager
def services_blocked() -> Iterator[None]:
    """Keep Debian maintainer scripts from starting system services on ports we don't manage.

    invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d; exit code 101 means "don't".
    An existing policy is set aside and restored afterwards. The swap itself is inside the
    `try`, and the `finally` decides from the files (not from how far the swap got), so an
    exception or signal (see signals.on_signal) at any point restores the original.
    """
    saved = POLICY_RC_D.with_name("policy-rc.d.coldchain-saved")
    if saved.exists():
        # Left by a run that was SIGKILLed mid-install: it holds the original policy,
        # unless someone has since put a policy of their own in place.
        if POLICY_RC_D.exists() and not is_our_policy(POLICY_RC_D):
            raise InfraError(f"both {POLICY_RC_D} and {saved} exist; keep the right one and delete the other")
        saved.replace(POLICY_RC_D)
    had_original = POLICY_RC_D.exists()
    try:
        if had_original:
            POLICY_RC_D.rename(saved)
        POLICY_RC_D.write_text(f"#!/bin/sh\n{POLICY_MARKER}\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
        yield
    finally:
        if saved.exists():
            saved.replace(POLICY_RC_D)
        elif not had_original:
            POLICY_RC_D.unlink(missing_ok=True)


def apt_install(*packages: str) -> None:
    """Install Debian packages non-interactively without starting their services."""
    if os.geteuid() != 0:
        raise InfraError(
            f"{' '.join(packages)} missing; install it (sudo apt-get install {' '.join(packages)}) or run as root"
        )
    print(f"installing {' '.join(packages)} with apt-get…", flush=True)
    apt_update()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with services_blocked():
        run_visible(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], env=env)


def stop_system_service(service: str, pid_glob: str) -> None:
    """Stop a distro-managed instance that got started despite policy-rc.d."""
    if Path("/run/systemd/system").exists():
        subprocess.run(["systemctl", "stop", service], stdin=subprocess.DEVNULL, capture_output=True)
    for pid_file in glob.glob(pid_glob):
        pid = read_pid(Path(pid_file))
        if pid and process_alive(pid, ""):
            print(f"stopping system {service} (pid {pid}) started by its package", flush=True)
            terminate(pid, "")
