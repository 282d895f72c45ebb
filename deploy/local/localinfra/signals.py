"""SIGINT/SIGTERM/SIGHUP handling: turn them into an exception, and hold it back where needed."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Interrupted(BaseException):
    """Raised by our SIGINT/SIGTERM/SIGHUP handler.

    Python's default SIGTERM/SIGHUP action kills the process without running `finally`
    blocks, which would leave policy-rc.d swapped and half-started servers running. A
    BaseException (like KeyboardInterrupt) so that no `except Exception` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SignalState:
    """What the handler has seen; `deferred` is True inside signals_deferred()."""

    received: int | None = None
    deferred = False


def on_signal(signum: int, _frame: object) -> None:
    """Raise Interrupted once; later signals are only recorded, so cleanup is not cut short.

    A second Ctrl-C (or `make`'s SIGTERM after SIGINT) would otherwise abort the very code
    that stops what this run started.
    """
    if SignalState.received is not None:
        return
    SignalState.received = signum
    if not SignalState.deferred:
        raise Interrupted(signum)


def install_signal_handlers() -> None:
    """Route SIGINT/SIGTERM/SIGHUP to on_signal, leaving alone any that are ignored (nohup, `&`)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, on_signal)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back Interrupted until the block is done, then raise it if a signal came meanwhile.

    For steps that must not be torn apart, e.g. starting a server and recording its pid:
    raised in between, the server would run with no pid file and nothing could stop it.
    """
    before, was_deferred = SignalState.received, SignalState.deferred
    SignalState.deferred = True
    try:
        yield
    finally:
        SignalState.deferred = was_deferred
    if before is None and SignalState.received is not None and not was_deferred:
        raise Interrupted(SignalState.received)
