"""`make run`'s supervisor: a child that dies is restarted with backoff, the others untouched."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coldchain_devtools.supervisor import HEALTHY_AFTER_S, MAX_DELAY_S, Supervisor, restart_delay

pytestmark = pytest.mark.unit


def test_the_delay_doubles_with_restarts_in_a_row_up_to_the_cap() -> None:
    assert [restart_delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert restart_delay(50) == MAX_DELAY_S


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def spawn(seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def wait_exit(proc: subprocess.Popen[bytes]) -> None:
    proc.wait(timeout=10)


def test_a_dead_child_is_restarted_after_its_backoff_and_a_live_one_is_left_alone() -> None:
    clock, lines = Clock(), []
    supervisor = Supervisor(log=lines.append, clock=clock)
    crashing = supervisor.add("crashing", lambda: spawn(0))
    steady = supervisor.add("steady", lambda: spawn(30))
    try:
        wait_exit(crashing)
        supervisor.poll()
        assert supervisor.children["crashing"].proc is crashing, "not before the 1 s backoff"
        clock.now += 1.0
        supervisor.poll()
        restarted = supervisor.children["crashing"].proc
        assert restarted is not crashing
        assert supervisor.children["steady"].proc is steady
        wait_exit(restarted)
        clock.now += 0.5
        supervisor.poll()
        clock.now += 1.9
        supervisor.poll()
        assert supervisor.children["crashing"].proc is restarted, "second restart in a row waits 2 s"
        clock.now += 0.2
        supervisor.poll()
        assert supervisor.children["crashing"].restarts == 2
        assert any("crashing exited with 0; restarting in 1s" in line for line in lines)
    finally:
        for proc in supervisor.processes().values():
            proc.kill()
            proc.wait()


def test_a_child_that_stayed_up_a_while_restarts_at_the_base_delay_again() -> None:
    clock = Clock()
    supervisor = Supervisor(log=lambda _line: None, clock=clock)
    supervisor.add("svc", lambda: spawn(0))
    child = supervisor.children["svc"]
    child.restarts_in_a_row = 4
    try:
        wait_exit(child.proc)
        clock.now += HEALTHY_AFTER_S
        supervisor.poll()
        assert child.due_at == pytest.approx(clock.now + 1.0)
    finally:
        child.proc.kill()
        child.proc.wait()
