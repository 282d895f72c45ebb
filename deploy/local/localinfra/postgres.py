"""PostgreSQL: a private cluster in the state dir, from Debian's binaries (apt-installed if missing)."""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shlex
import stat
import subprocess
from pathlib import Path

from .apt import apt_install, stop_system_service
from .components import Component
from .config import DURABLE, HOST, STATE, env_port
from .errors import InfraError
from .processes import process_alive, read_pid, run, terminate
from .tls import SERVER_CERT, SERVER_KEY, ensure_tls_material


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
        self.tls = self.home / "tls"  # copies of the server certificate the postgres user may read

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
                # TLS on the same port (tls.py's local CA); pg_hba's `host` lines take both.
                "-c ssl=on",
                f"-c ssl_cert_file={shlex.quote(str(self.tls / 'server.crt'))}",
                f"-c ssl_key_file={shlex.quote(str(self.tls / 'server.key'))}",
                # PostgreSQL's own defaults (fsync, synchronous commit, full page writes) unless
                # the instance holds throwaway test data.
                *(
                    []
                    if DURABLE
                    else ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
                ),
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
        for path in (self.data, self.sockets, self.tls):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log.touch()
        ensure_tls_material()
        # PostgreSQL refuses a key file others can read: a private copy, owned as the server runs.
        cert, key = self.tls / "server.crt", self.tls / "server.key"
        cert.write_bytes(SERVER_CERT.read_bytes())
        key.write_bytes(SERVER_KEY.read_bytes())
        key.chmod(0o600)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.data, self.sockets, self.log, self.tls, cert, key):
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
