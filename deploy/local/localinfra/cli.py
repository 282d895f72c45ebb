"""The command line: parse arguments, run up/down/status/env, and report failures and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import time
from pathlib import Path

from . import __doc__ as overview
from .components import Component
from .config import HOST, STATE, prepare_state_dir
from .errors import InfraError
from .kafka import Kafka
from .postgres import Postgres
from .processes import exclusive, port_open
from .redis import Redis
from .signals import Interrupted, install_signal_handlers, signals_deferred
from .tls import CA_CERT, PASSWORD_FILE, USERNAME, password

COMPONENTS: dict[str, type[Component]] = {cls.name: cls for cls in (Kafka, Postgres, Redis)}


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log is where a failed start says why.

    Java stack frames are dropped: they would push the "Caused by:" lines out of view.
    """
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(("at ", "... "))]
    return "\n".join(kept[-lines:])


def cmd_up(components: list[Component]) -> None:
    """Launch everything first, then wait, so the slow JVM start overlaps the others.

    All or nothing: on any failure or interruption, every component this invocation
    launched is stopped again before the error propagates (those already running are
    left alone). Callers such as `make run` set their cleanup trap only after `up`
    succeeded, so anything left behind here would keep running and hold the ports.
    """
    began = time.monotonic()
    try:
        for component in components:
            component.launch()
        for component in components:
            component.await_ready()
            state = "started" if component.launched else "already up"
            print(f"{component.name}: {state} (pid {component.pid()}, {HOST}:{component.port})", flush=True)
    except BaseException:
        stop_launched(components)
        raise
    print(f"infra up in {time.monotonic() - began:.1f}s")


def say(message: str, *, stderr: bool = False) -> None:
    """Print progress during cleanup, where a gone terminal (EIO after SIGHUP, a closed
    pipe) must not abort the stopping of the remaining components."""
    with contextlib.suppress(OSError):
        print(message, file=sys.stderr if stderr else sys.stdout, flush=True)


def stop_launched(components: list[Component]) -> None:
    """Undo a failed `up`: stop what it launched, continuing past errors so one stuck
    component does not keep the others running. The original error is what gets reported,
    unless a signal arrives meanwhile: it is deferred so it cannot cut this short either."""
    with signals_deferred():
        for component in reversed(components):
            if not component.launched:
                continue
            try:
                component.stop()
            except Exception as err:  # noqa: BLE001 -- keep stopping the others
                say(f"{component.name}: could not stop it after the failed up: {err}", stderr=True)
            else:
                say(f"{component.name}: stopped again because up failed", stderr=True)


def cmd_down(components: list[Component]) -> None:
    """Stop every component, even if an earlier one fails, then report any failure.

    Signals are deferred until all are stopped: a second Ctrl-C reaches `make run`'s
    `trap ... down` too, and must not leave the remaining services running.
    A port still open afterwards is reported, since "not running" would then mislead
    (e.g. our server survived a `rm -rf .local` that deleted its pid file).
    """
    failures = []
    with signals_deferred():
        for component in components:
            was_running = component.pid() is not None
            try:
                component.stop()
            except InfraError as err:
                failures.append(f"{component.name}: {err}")
                say(f"{component.name}: could not stop: {err}", stderr=True)
                continue
            state = "stopped" if was_running else "not running"
            if port_open(component.port):
                state += (
                    f", but {HOST}:{component.port} is still taken by a process this tool cannot identify"
                )
            say(f"{component.name}: {state}")
    if failures:
        raise InfraError("; ".join(failures))


def cmd_status(components: list[Component]) -> int:
    """One line per component; exit status 1 unless all are up, for use in scripts."""
    all_up = True
    for component in components:
        pid = component.pid()
        if pid is not None:
            state = "up" if component.answers() else "not answering"
        else:
            state = "port taken by another process" if port_open(component.port) else "down"
        all_up &= state == "up"
        print(f"{component.name:<9} {state:<14} pid={pid or '-':<8} port={component.port}")
    return 0 if all_up else 1


def cmd_env(components: list[Component]) -> None:
    """Shell exports for the services; use as `eval "$(python3 deploy/local/infra.py env)"`."""
    urls = {
        "kafka": ("KAFKA_BOOTSTRAP_SERVERS", f"{HOST}:{Kafka().port}"),
        "postgres": (
            "DATABASE_URL",
            f"postgresql+asyncpg://{Postgres.user}@{HOST}:{Postgres().port}/{Postgres.database}",
        ),
        "redis": ("REDIS_URL", f"redis://{HOST}:{Redis().port}/0"),
    }
    # The same servers over verified TLS with a password (tls.py), the way RDS, ElastiCache
    # and MSK are reached: tests (and anyone) point the TLS settings at these.
    made = PASSWORD_FILE.exists()  # by the first `up`
    tls: dict[str, dict[str, str]] = {
        "kafka": {"COLDCHAIN_TLS_KAFKA_BOOTSTRAP": f"{HOST}:{Kafka().tls_port}"} if made else {},
        "postgres": {},
        "redis": {"COLDCHAIN_TLS_REDIS_URL": f"rediss://{USERNAME}:{password()}@{HOST}:{Redis().tls_port}/0"}
        if made
        else {},
    }
    for component in components:
        variable, value = urls[component.name]
        print(f"export {variable}={shlex.quote(value)}")
        for variable, value in tls[component.name].items():
            print(f"export {variable}={shlex.quote(value)}")
    if made:
        print(f"export COLDCHAIN_TLS_CA_FILE={shlex.quote(str(CA_CERT))}")
        print(f"export COLDCHAIN_TLS_USERNAME={USERNAME}")
        print(f"export COLDCHAIN_TLS_PASSWORD={shlex.quote(password())}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=overview.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "down", "status", "env"))
    parser.add_argument("--only", default=",".join(COMPONENTS), help="comma-separated subset of: %(default)s")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(COMPONENTS))
    if unknown:
        parser.error(f"unknown component(s): {', '.join(unknown)}")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Fixed order: Kafka first so its JVM warms up while PostgreSQL and Redis start.
    components = [cls() for name, cls in COMPONENTS.items() if name in args.only]
    if args.command == "env":
        cmd_env(components)
        return 0
    prepare_state_dir()
    if args.command == "status":
        return cmd_status(components)
    install_signal_handlers()
    try:
        with exclusive(STATE / "infra.lock"):
            (cmd_up if args.command == "up" else cmd_down)(components)
    except InfraError as err:
        print(f"error: {err}", file=sys.stderr)
        if err.log is not None:
            print(f"--- last lines of {err.log} ---\n{tail(err.log)}", file=sys.stderr)
        return 1
    except Interrupted as interrupt:
        print(f"error: interrupted by {interrupt}", file=sys.stderr)
        return 128 + interrupt.signum
    return 0
