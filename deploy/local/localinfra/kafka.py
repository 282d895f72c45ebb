"""Kafka: a single-node KRaft broker run with the machine's Java from jars that Maven fetches."""

from __future__ import annotations

import base64
import hashlib
import shutil
import socket
import struct
import time
import uuid

from .apt import require_tool
from .components import Component
from .config import CACHE, HOST, RUN, SCRIPT_DIR, STATE, env_port
from .processes import exclusive, process_alive, read_pid, recv_exact, run, spawn_detached, terminate
from .tls import USERNAME, ensure_tls_material, password, server_pem_bundle

KAFKA_VERSION = "4.1.1"
KAFKA_POM = SCRIPT_DIR / "kafka" / "pom.xml"
KAFKA_HOME = CACHE / f"kafka-{KAFKA_VERSION}"
KAFKA_LIBS = KAFKA_HOME / "libs"
# Holds the sha256 of the pom that produced libs/, so editing the pom triggers a re-fetch.
KAFKA_MARKER = KAFKA_HOME / "fetched.sha256"


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
        self.keystore = self.home / "server-keystore.pem"
        self.scram_marker = self.home / "scram-user"
        self.log_offset = 0

    @property
    def port(self) -> int:
        return env_port("COLDCHAIN_KAFKA_PORT", 19092)

    @property
    def tls_port(self) -> int:
        """The SASL_SSL listener (MSK's TLS with SCRAM, locally); port + 1 is the controller's."""
        return env_port("COLDCHAIN_KAFKA_TLS_PORT", self.port + 2)

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
        ensure_tls_material()
        server_pem_bundle(self.keystore)
        self.config.write_text(self._server_properties())
        self.config.chmod(0o600)  # holds the PLAIN user's password
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

    def after_ready(self) -> None:
        """The SCRAM user lives in the cluster metadata: created once, through the plain port."""
        if self.scram_marker.exists() and self.scram_marker.read_text() == password():
            return
        scram = f"SCRAM-SHA-512=[iterations=4096,password={password()}]"
        config_args = ["--bootstrap-server", f"{HOST}:{self.port}", "--alter", "--add-config", scram]
        user_args = ["--entity-type", "users", "--entity-name", USERNAME]
        java = require_tool("java", "default-jre-headless")
        run(self._java(java, "kafka.admin.ConfigCommand", *config_args, *user_args))
        self.scram_marker.write_text(password())
        self.scram_marker.chmod(0o600)

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
        port, controller_port, tls_port = self.port, self.port + 1, self.tls_port
        plain_login = "org.apache.kafka.common.security.plain.PlainLoginModule"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            # A static voter set: unlike a dynamic quorum it survives a change of controller port.
            "controller.quorum.voters": f"1@{HOST}:{controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port},"
            f"SASL_SSL://{HOST}:{tls_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{port},SASL_SSL://{HOST}:{tls_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
            # The SASL_SSL listener: tls.py's certificate, SCRAM (users in the cluster
            # metadata, see after_ready) and PLAIN (its one user right here).
            "listener.name.sasl_ssl.ssl.keystore.type": "PEM",
            "listener.name.sasl_ssl.ssl.keystore.location": str(self.keystore),
            "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "listener.name.sasl_ssl.plain.sasl.jaas.config": (
                f'{plain_login} required user_{USERNAME}="{password()}";'
            ),
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
