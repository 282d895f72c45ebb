#!/usr/bin/env python3
"""Run Coldchain's backing services -- Kafka (KRaft), PostgreSQL, Redis -- as plain local processes.

    python3 deploy/local/infra.py up|down|status|env [--only kafka,postgres,redis]

`make run`, `make test` and CI call this on machines without Docker, so it installs
or downloads what is missing by itself: Kafka's jars through Maven (deploy/local/kafka/pom.xml),
PostgreSQL and Redis through apt when they are absent. It uses only the standard library
because it runs with the system Python, before any virtualenv exists.

Runtime state (data, logs, pid files) lives in $COLDCHAIN_LOCAL_DIR, default <repo>/.local,
which `rm -rf .local` resets. Ports: $COLDCHAIN_KAFKA_PORT (19092; controller on +1),
$COLDCHAIN_PG_PORT (15432), $COLDCHAIN_REDIS_PORT (16379), all bound to 127.0.0.1.
Kafka's jars live outside the repo, in ${COLDCHAIN_CACHE:-~/.cache/coldchain}, so a reset
does not download them again.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import functools
import glob
import hashlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Overridable so `make test` runs a second, independent instance (own ports, own data).
STATE = Path(os.environ.get("COLDCHAIN_LOCAL_DIR") or REPO / ".local")
LOGS = STATE / "logs"
RUN = STATE / "run"
HOST = "127.0.0.1"

KAFKA_VERSION = "4.1.1"
KAFKA_POM = HERE / "kafka" / "pom.xml"
CACHE = Path(os.environ.get("COLDCHAIN_CACHE") or Path.home() / ".cache" / "coldchain")
KAFKA_HOME = CACHE / f"kafka-{KAFKA_VERSION}"
KAFKA_LIBS = KAFKA_HOME / "libs"
# Holds the sha256 of the pom that produced libs/, so editing the pom triggers a re-fetch.
KAFKA_MARKER = KAFKA_HOME / "fetched.sha256"

STOP_TIMEOUT = 30.0
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


class InfraError(Exception):
    """A failure to report to the user, optionally with the log that explains it."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


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


# --------------------------------------------------------------------------- helpers


def env_port(name: str, default: int) -> int:
    """Ports come from the environment so parallel checkouts or CI jobs can avoid clashes."""
    return int(os.environ.get(name, default))


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


def require_tool(name: str, apt_package: str) -> str:
    """Path of a program, installed through apt if missing (only a fresh machine needs that)."""
    path = shutil.which(name)
    if path is None:
        apt_install(apt_package)
        path = shutil.which(name)
    if path is None:
        raise InfraError(f"{name} not found even after installing {apt_package}")
    return path


# --------------------------------------------------------------------------- apt


@functools.cache
def apt_update() -> None:
    """Refresh package lists once per run; a failing third-party source is not fatal."""
    if subprocess.run(["apt-get", "update", "-q"], stdin=subprocess.DEVNULL).returncode != 0:
        print("warning: apt-get update reported errors; trying to install anyway", file=sys.stderr)


POLICY_MARKER = "# written by coldchain deploy/local/infra.py during apt-get install"


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
    exception or signal (see on_signal) at any point restores the original.
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


# --------------------------------------------------------------------------- components


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


class Kafka(Component):
    """Single-node KRaft broker+controller, run from jars that Maven fetched into the cache."""

    name = "kafka"
    ready_timeout = 120.0
    started_line = b"Kafka Server started"

    def __init__(self) -> None:
        super().__init__()
        self.home = STATE / "kafka"
        self.data = self.home / "data"
        self.config = self.home / "server.properties"
        self.log4j = self.home / "log4j2.properties"
        self.cluster_id_file = self.home / "cluster-id"
        self.pid_file = RUN / "kafka.pid"
        self.log_offset = 0

    @property
    def port(self) -> int:
        return env_port("COLDCHAIN_KAFKA_PORT", 19092)

    def pid(self) -> int | None:
        pid = read_pid(self.pid_file)
        # Our config path is in the java command line: it tells our broker from any other JVM.
        return pid if pid and process_alive(pid, str(self.config)) else None

    def answers(self) -> bool:
        """Send an ApiVersions v0 request: a reply means the broker serves requests, not just TCP."""
        client_id = b"coldchain-infra"
        request = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
        try:
            with socket.create_connection((HOST, self.port), timeout=2) as sock:
                sock.settimeout(2)
                sock.sendall(struct.pack(">i", len(request)) + request)
                reply: tuple[int, int, int] = struct.unpack(">iih", recv_exact(sock, 10))
        except OSError:
            return False
        _size, correlation_id, error_code = reply
        return correlation_id == 1 and error_code == 0

    def ready(self) -> bool:
        """After our own start, also wait for the log line printed once startup completed."""
        if self.launched and self.started_line not in self._log_since_launch():
            return False
        return self.answers()

    def start(self) -> None:
        java = require_tool("java", "default-jre-headless")
        fetch_kafka_libs(require_tool("mvn", "maven"))
        self.home.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self._server_properties())
        self.log4j.write_text(LOG4J2_PROPERTIES)
        if not (self.data / "meta.properties").exists():
            self._format_storage(java)
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        spawn_detached(self._java(java, "kafka.Kafka", str(self.config)), self.log, self.pid_file)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            terminate(pid, str(self.config))
        self.pid_file.unlink(missing_ok=True)

    def _java(self, java: str, main_class: str, *args: str) -> list[str]:
        """JVM command line: small heap because tests and services share 2 cores with the broker."""
        return [
            java,
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.log4j}",
            "-cp",
            f"{KAFKA_LIBS}/*",
            main_class,
            *args,
        ]

    def _format_storage(self, java: str) -> None:
        """KRaft needs its log dir formatted with a cluster id once, before the first start."""
        format_args = ["format", "-t", self._cluster_id(), "-c", str(self.config)]
        run(self._java(java, "kafka.tools.StorageTool", *format_args))

    def _cluster_id(self) -> str:
        """Kafka's cluster id format (base64url of 16 random bytes), generated once and kept."""
        if not self.cluster_id_file.exists():
            cluster_id = "-"
            while cluster_id.startswith("-"):  # Kafka avoids ids that look like CLI flags
                cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
            self.cluster_id_file.write_text(cluster_id + "\n")
        return self.cluster_id_file.read_text().strip()

    def _server_properties(self) -> str:
        """Single-node config, regenerated on each start so port changes in the env apply."""
        port, controller_port = self.port, self.port + 1
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            # A static voter set: unlike a dynamic quorum it survives a change of controller port.
            "controller.quorum.voters": f"1@{HOST}:{controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data),
            "num.partitions": "3",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # Modest thread counts and cleaner buffer (default 128 MiB) for a 2-core dev box.
            "num.network.threads": "2",
            "num.io.threads": "2",
            "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _log_since_launch(self) -> bytes:
        with self.log.open("rb") as f:
            f.seek(self.log_offset)
            return f.read()


LOG4J2_PROPERTIES = """\
# Written by deploy/local/infra.py. Console only: the broker's stdout goes to logs/kafka.log.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
# Chatty at INFO; warnings and errors still show.
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
# Prints "Kafka Server started", which `up` waits for.
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
"""


def fetch_kafka_libs(mvn: str) -> None:
    """Resolve the broker's runtime classpath into the cache, once per version of the pom."""
    digest = hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()
    # The cache is shared by every state dir (`make run` and `make test` instances).
    with exclusive(KAFKA_HOME / "fetch.lock"):
        if KAFKA_MARKER.exists() and KAFKA_MARKER.read_text().strip() == digest:
            return
        print(f"fetching Apache Kafka {KAFKA_VERSION} from Maven Central… (first run only)", flush=True)
        began = time.monotonic()
        KAFKA_MARKER.unlink(missing_ok=True)
        shutil.rmtree(KAFKA_LIBS, ignore_errors=True)
        # Output only on failure: with -q Maven prints nothing useful, except stray ANSI resets.
        run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={KAFKA_LIBS}",
            ]
        )
        KAFKA_MARKER.write_text(digest + "\n")
        jars = len(list(KAFKA_LIBS.glob("*.jar")))
        print(f"  {jars} jars in {KAFKA_LIBS} ({time.monotonic() - began:.0f}s)", flush=True)


class Postgres(Component):
    """A private cluster in .local with trust auth, run by the `postgres` user when we are root."""

    name = "postgres"
    ready_timeout = 60.0
    user = "coldchain"
    database = "coldchain"

    def __init__(self) -> None:
        super().__init__()
        self.home = STATE / "postgres"
        self.data = self.home / "data"
        self.sockets = self.home / "run"

    @property
    def port(self) -> int:
        return env_port("COLDCHAIN_PG_PORT", 15432)

    def pid(self) -> int | None:
        pid = read_pid(self.data / "postmaster.pid")
        return pid if pid and process_alive(pid, str(self.data)) else None

    def answers(self) -> bool:
        probe = [str(self._bin("pg_isready")), "-q", "-h", HOST, "-p", str(self.port), "-t", "2"]
        return subprocess.run(probe, stdin=subprocess.DEVNULL).returncode == 0

    def start(self) -> None:
        self._prepare_dirs()
        if not (self.data / "PG_VERSION").exists():
            initdb = [str(self._bin("initdb")), "-D", str(self.data), f"--username={self.user}"]
            run(self._as_owner([*initdb, "--auth=trust", "--encoding=UTF8", "--locale=C"]))
        options = " ".join(
            [
                f"-c listen_addresses={HOST}",
                f"-p {self.port}",
                f"-k {shlex.quote(str(self.sockets))}",
                # Throwaway dev data: durability is not worth the I/O here.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        pg_ctl = [str(self._bin("pg_ctl")), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60"]
        try:
            run(self._as_owner([*pg_ctl, "-o", options, "start"]))
        except InfraError as err:
            raise InfraError(str(err), self.log) from None

    def after_ready(self) -> None:
        """Create the application database if missing (initdb only makes `postgres`)."""
        psql = [
            str(self._bin("psql")),
            "-h",
            HOST,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            "postgres",
            "-tAc",
        ]
        exists = run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"]).strip()
        if not exists:
            run([*psql, f'CREATE DATABASE "{self.database}" OWNER "{self.user}"'])

    def stop(self) -> None:
        """pg_ctl's fast shutdown (disconnects clients, no waiting); signals only if that fails."""
        pid = self.pid()
        if pid is None:
            return
        pg_ctl = self._as_owner([str(self._bin("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        if subprocess.run(pg_ctl, stdin=subprocess.DEVNULL, capture_output=True).returncode != 0:
            terminate(pid, str(self.data))

    def _prepare_dirs(self) -> None:
        """As root, hand data, socket dir and log to `postgres`: initdb and postgres refuse root."""
        for path in (self.data, self.sockets):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log.touch()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.data, self.sockets, self.log):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            make_traversable(self.home)

    @staticmethod
    def _as_owner(cmd: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd

    @staticmethod
    def _bin(program: str) -> Path:
        return pg_bin_dir() / program


@functools.cache
def pg_bin_dir() -> Path:
    """$PG_BIN, else the newest Debian-installed major version, else install PostgreSQL via apt."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = newest_debian_pg_bin()
    if found is None:
        apt_install("postgresql")
        stop_system_service("postgresql", "/run/postgresql/*.pid")
        found = newest_debian_pg_bin()
    if found is None:
        raise InfraError("PostgreSQL binaries not found under /usr/lib/postgresql even after apt-get install")
    return found


def newest_debian_pg_bin() -> Path | None:
    """Debian puts each major version in /usr/lib/postgresql/<version>/bin."""

    def version(bin_dir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in bin_dir.parent.name.split(".") if part.isdigit())

    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    return max(candidates, key=version, default=None)


def make_traversable(path: Path) -> None:
    """Let the `postgres` user reach its directories: add o+x to ancestors lacking it (e.g. /root)."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            print(f"note: chmod o+x {directory} so the postgres user can reach {path}", flush=True)
            directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


class Redis(Component):
    """A non-persistent Redis started with our own config file."""

    name = "redis"
    ready_timeout = 20.0

    def __init__(self) -> None:
        super().__init__()
        self.home = STATE / "redis"
        self.config = self.home / "redis.conf"
        self.pid_file = RUN / "redis.pid"

    @property
    def port(self) -> int:
        return env_port("COLDCHAIN_REDIS_PORT", 16379)

    def pid(self) -> int | None:
        pid = read_pid(self.pid_file)
        # Redis rewrites its process title to "redis-server host:port", so match on the name.
        return pid if pid and process_alive(pid, "redis-server") else None

    def answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=2) as sock:
                sock.settimeout(2)
                sock.sendall(b"PING\r\n")
                return recv_exact(sock, 7) == b"+PONG\r\n"
        except OSError:
            return False

    def start(self) -> None:
        server = redis_server()
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        self.config.write_text(self._config())
        spawn_detached([server, str(self.config)], self.log, self.pid_file)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            terminate(pid, "redis-server")
        self.pid_file.unlink(missing_ok=True)

    def _config(self) -> str:
        """Regenerated on each start so port changes in the env apply; paths quoted for spaces."""
        return "".join(
            f"{line}\n"
            for line in (
                f"bind {HOST}",
                f"port {self.port}",
                "protected-mode yes",
                "daemonize no",
                f'pidfile "{self.pid_file}"',
                'logfile ""',
                f'dir "{self.home / "data"}"',
                "appendonly no",
                'save ""',
            )
        )


def redis_server() -> str:
    """redis-server from PATH, else installed via apt with its system instance kept stopped."""
    path = shutil.which("redis-server")
    if path is None:
        apt_install("redis-server")
        stop_system_service("redis-server", "/run/redis/*.pid")
        path = shutil.which("redis-server")
    if path is None:
        raise InfraError("redis-server not found even after apt-get install redis-server")
    return path


# --------------------------------------------------------------------------- commands

COMPONENTS: dict[str, type[Component]] = {cls.name: cls for cls in (Kafka, Postgres, Redis)}


def prepare_state_dir() -> None:
    """Create .local with a self-ignoring .gitignore, so runtime state never shows up in git."""
    for path in (LOGS, RUN):
        path.mkdir(parents=True, exist_ok=True)
    gitignore = STATE / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# runtime state of deploy/local/infra.py\n*\n")


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
    for component in components:
        variable, value = urls[component.name]
        print(f"export {variable}={shlex.quote(value)}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
