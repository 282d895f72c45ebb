"""Redis: a non-persistent server with a config file of our own (apt-installed if missing)."""

from __future__ import annotations

import shutil
import socket

from .apt import apt_install, stop_system_service
from .components import Component
from .config import DURABLE, HOST, RUN, STATE, env_port
from .errors import InfraError
from .processes import process_alive, read_pid, recv_exact, spawn_detached, terminate
from .tls import CA_CERT, SERVER_CERT, SERVER_KEY, USERNAME, ensure_tls_material, password


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

    @property
    def tls_port(self) -> int:
        """A second port speaking TLS only (ElastiCache's in-transit encryption, locally)."""
        return env_port("COLDCHAIN_REDIS_TLS_PORT", self.port + 1)

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
        ensure_tls_material()
        self.config.write_text(self._config())
        self.config.chmod(0o600)  # holds the ACL user's password
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
                # Live state survives a crash: the append-only file, fsynced every second
                # (Redis's recommended trade); off for the throwaway test instance.
                *(("appendonly yes", "appendfsync everysec") if DURABLE else ("appendonly no",)),
                'save ""',
                # TLS port with AUTH: a named user with a password (the default user stays
                # open on the plain port, as the other clients expect).
                f"tls-port {self.tls_port}",
                f'tls-cert-file "{SERVER_CERT}"',
                f'tls-key-file "{SERVER_KEY}"',
                f'tls-ca-cert-file "{CA_CERT}"',
                "tls-auth-clients no",
                f"user {USERNAME} on >{password()} ~* &* +@all",
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
