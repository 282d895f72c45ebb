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

Modules, each with one job: config (paths and ports), errors, signals (deferring
SIGINT/SIGTERM/SIGHUP), processes (running, tracking and stopping programs), apt
(installing what is missing), components (what every service shares), kafka, postgres,
redis, and cli (the commands).
"""
