"""Keeps `make run`'s processes alive: a child that dies is restarted with backoff, and logged.

What ECS or systemd (`Restart=on-failure`, `RestartSec`) do for a deployment, done for the
local run: one crashed service must not take the whole system down. The delay doubles
with each restart in a row (1 s up to 30 s) and resets once the process has stayed up for
a minute, so a crash loop does not spin and a rare crash restarts at once.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

BASE_DELAY_S = 1.0
MAX_DELAY_S = 30.0
HEALTHY_AFTER_S = 60.0


def restart_delay(restarts_in_a_row: int) -> float:
    """Seconds to wait before the next restart, after `restarts_in_a_row` earlier ones."""
    return float(min(MAX_DELAY_S, BASE_DELAY_S * 2.0**restarts_in_a_row))


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen[bytes]]
    proc: subprocess.Popen[bytes]
    started_at: float = field(default_factory=time.monotonic)
    restarts_in_a_row: int = 0
    restarts: int = 0
    due_at: float | None = None  # when a pending restart happens


class Supervisor:
    """Polls its children; restarts the dead ones when their backoff has passed."""

    def __init__(
        self, log: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.children: dict[str, Child] = {}
        self._log = log
        self._clock = clock

    def add(self, name: str, start: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        proc = start()
        self.children[name] = Child(name, start, proc, started_at=self._clock())
        return proc

    def poll(self) -> None:
        """One round: notice deaths, schedule their restarts, carry out the restarts due."""
        now = self._clock()
        for child in self.children.values():
            if child.due_at is None:
                code = child.proc.poll()
                if code is None:
                    continue
                if now - child.started_at >= HEALTHY_AFTER_S:
                    child.restarts_in_a_row = 0
                delay = restart_delay(child.restarts_in_a_row)
                child.due_at = now + delay
                self._log(f"  {child.name} exited with {code}; restarting in {delay:.0f}s")
            if now >= child.due_at:
                child.proc = child.start()
                child.started_at, child.due_at = now, None
                child.restarts_in_a_row += 1
                child.restarts += 1
                self._log(f"  {child.name} restarted (restart #{child.restarts}, pid {child.proc.pid})")

    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        return {name: child.proc for name, child in self.children.items()}
