"""The Component base class: what `up`, `down` and `status` need from every backing service."""

from __future__ import annotations

import time

from .config import HOST, LOGS
from .errors import InfraError
from .processes import port_open


class Component:
    """One backing service. Subclasses say how to find, launch, probe and stop it."""

    name: str
    ready_timeout: float

    def __init__(self) -> None:
        self.log = LOGS / f"{self.name}.log"
        self.launched = False

    @property
    def port(self) -> int:
        raise NotImplementedError

    def pid(self) -> int | None:
        """Pid of our running instance, or None."""
        raise NotImplementedError

    def answers(self) -> bool:
        """Whether the service responds to a protocol-level probe on its port."""
        raise NotImplementedError

    def start(self) -> None:
        """Install/prepare what is missing and start the process (may return before it is ready)."""
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def ready(self) -> bool:
        """Readiness as `up` waits for it; subclasses may demand more than `answers`."""
        return self.answers()

    def after_ready(self) -> None:
        """Idempotent setup that needs the running service (e.g. creating a database)."""

    def launch(self) -> None:
        """Start the service unless our instance already runs; refuse a port held by a stranger.

        `launched` is set before start(), not after: a start() that fails or is interrupted
        may already have left a process (pg_ctl's -w timeout keeps the postmaster running),
        and up's cleanup only stops components marked as launched.
        """
        if self.pid() is not None:
            return
        if port_open(self.port):
            raise InfraError(
                f"{self.name}: port {HOST}:{self.port} is taken by a process this tool did not start"
            )
        self.launched = True
        self.start()

    def await_ready(self) -> None:
        """Poll until ready, failing fast if the process dies, and give up at the deadline."""
        deadline = time.monotonic() + self.ready_timeout
        while not self.ready():
            if self.pid() is None:
                raise InfraError(f"{self.name}: process exited during startup", self.log)
            if time.monotonic() > deadline:
                raise InfraError(f"{self.name}: not ready after {self.ready_timeout:.0f}s", self.log)
            time.sleep(0.3)
        self.after_ready()
