# Coldchain: thin targets over uv (Python workspace) and deploy/local/infra.py (Kafka, PostgreSQL, Redis).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
VENV_PY := .venv/bin/python
INFRA := $(PYTHON) deploy/local/infra.py
export UV_PYTHON_DOWNLOADS := never

# `make test` runs on its own infrastructure (own ports and state dir), so it never
# disturbs a `make run` in another terminal.
VEGETA := $(HOME)/.cache/coldchain/bin/vegeta
VEGETA_VERSION := v12.13.0
# Benchmarks run on a third instance of their own.
BENCH_ENV := COLDCHAIN_LOCAL_DIR=$(CURDIR)/.local/bench COLDCHAIN_KAFKA_PORT=19192 COLDCHAIN_PG_PORT=15532 COLDCHAIN_REDIS_PORT=16479
# Ports are overridable so two checkouts (git worktrees) can run their suites side by side.
TEST_KAFKA_PORT ?= 29092
TEST_PG_PORT ?= 25432
TEST_REDIS_PORT ?= 26379
TEST_ENV := COLDCHAIN_DURABLE=false COLDCHAIN_LOCAL_DIR=$(CURDIR)/.local/test COLDCHAIN_KAFKA_PORT=$(TEST_KAFKA_PORT) COLDCHAIN_PG_PORT=$(TEST_PG_PORT) COLDCHAIN_REDIS_PORT=$(TEST_REDIS_PORT)

.PHONY: chromium bench-web coverage docs secrets lint-deploy help install up down status run test test-fast lint fmt typecheck topics migrate contracts-snapshot backup restore bench-chaos bench-teltonika-storm bench-startup bench-telemetry bench-history solve-vrptw bench-dispatch bench-api bench-gateway-stack bench-dispatch-scenario bench-orders bench-dispatch-loop solve-pdptw bench-pdptw simulate-day bench-demo-loop bench-notify

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

install: .venv/.synced web/dist/.built ## install uv and every workspace package (locked versions), build the web console
.venv/.synced: uv.lock pyproject.toml $(wildcard */*/pyproject.toml)
	@# A distribution's own Python refuses plain pip installs (PEP 668): fall back to the user site.
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check --user --break-system-packages "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python 3.11 --all-packages
	@touch $@

# The web console (web/, served by the gateway at /): npm ci from the lock file, then a Vite build.
WEB_SOURCES := $(shell find web/src web/scripts -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
web/dist/.built: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
	@touch $@

chromium: ## Debian's Chromium for the browser tests (apt-get when missing, as for PostgreSQL)
	@command -v chromium >/dev/null || $(PYTHON) -c "import sys; sys.path.insert(0, 'deploy/local'); from localinfra.apt import apt_install; apt_install('chromium')"

up: ## start Kafka, PostgreSQL and Redis locally (idempotent)
	$(INFRA) up

down: ## stop the local infrastructure (both the run and the test instances)
	$(INFRA) down
	$(TEST_ENV) $(INFRA) down

status: ## show the local infrastructure
	$(INFRA) status

topics: install up ## create every topic of the contracts registry
	eval "$$($(INFRA) env)" && $(VENV_PY) -m coldchain_devtools topics

run: install ## the whole system locally: infrastructure, five services, simulator (Ctrl-C stops all)
	@# What was already up (`make up`) stays up; what this run starts, it stops on exit.
	@down=$$($(INFRA) status 2>/dev/null | awk '$$2 == "down" {print $$1}' | paste -sd, -); \
		if [ -n "$$down" ]; then stop="$(INFRA) down --only $$down"; else stop=true; fi; \
		$(INFRA) up && trap "$$stop" EXIT && eval "$$($(INFRA) env)" && $(VENV_PY) -m coldchain_devtools run

test: install lint typecheck chromium ## lint, type-check, client unit tests, and every test against real Kafka, PostgreSQL, Redis (and Chromium)
	cd web && npm test --silent
	@$(TEST_ENV) $(INFRA) up
	@trap '$(TEST_ENV) $(INFRA) down' EXIT; eval "$$($(TEST_ENV) $(INFRA) env)" && \
		$(VENV_PY) -m pytest $(PYTEST_ARGS)

coverage: install ## the whole suite under coverage.py (in-process code), on make test's infrastructure
	@$(TEST_ENV) $(INFRA) up
	@trap '$(TEST_ENV) $(INFRA) down' EXIT; eval "$$($(TEST_ENV) $(INFRA) env)" && \
		rm -f .coverage .coverage.* && $(VENV_PY) -m coverage run -m pytest $(PYTEST_ARGS) && \
		$(VENV_PY) -m coverage combine -q && $(VENV_PY) -m coverage report --format=total | sed 's/^/coverage: /;s/$$/ %/'

test-fast: install ## unit and component tests only (no infrastructure)
	$(VENV_PY) -m pytest -m "unit or component" $(PYTEST_ARGS)

lint: install ## ruff lint and format check, the secrets scan, and the deploy files (lint-deploy)
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m ruff format --check .
	@$(MAKE) --no-print-directory secrets
	@$(MAKE) --no-print-directory lint-deploy

# Deploy files are checked by their own tools: Debian's docker-compose (parses compose files
# without an engine) and promtool (package prometheus), installed by apt on a fresh machine;
# hadolint from the dev dependencies; checkov and its HCL2 parser locked apart in deploy/lint.
REQUIRE_TOOLS = $(PYTHON) -c 'import sys; sys.path.insert(0, "deploy/local"); from localinfra.apt import require_tool; [require_tool(*t.split(":")) for t in sys.argv[1:]]'
DEPLOY_LINT_PY := deploy/lint/.venv/bin/python
# compose.yaml demands its secrets (`:?`); validation needs values, not real ones.
COMPOSE_LINT_ENV := POSTGRES_PASSWORD=x REDIS_PASSWORD=x GATEWAY_JWT_SECRET=x GATEWAY_ADMIN_PASSWORD=x GRAFANA_ADMIN_PASSWORD=x COLDCHAIN_INTERNAL_TOKEN=x

deploy/lint/.venv/.synced: deploy/lint/uv.lock deploy/lint/pyproject.toml
	$(UV) sync --frozen --project deploy/lint --python 3.11
	@touch $@

lint-deploy: install deploy/lint/.venv/.synced ## Dockerfile, compose file, alert rules and their tests, Terraform (parse, wiring, checkov)
	@$(REQUIRE_TOOLS) docker-compose:docker-compose promtool:prometheus
	.venv/bin/hadolint deploy/docker/Dockerfile
	$(COMPOSE_LINT_ENV) docker-compose -f deploy/compose/compose.yaml config -q
	promtool check config --syntax-only deploy/observability/prometheus.yml
	promtool check rules deploy/observability/alerts.yaml
	cd deploy/observability && promtool test rules alerts.test.yaml
	$(DEPLOY_LINT_PY) deploy/lint/check_terraform.py deploy/terraform
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive deploy/terraform 2>/dev/null && echo "terraform fmt: formatted"; \
		else echo "terraform fmt: skipped (no terraform binary)"; fi
	deploy/lint/.venv/bin/checkov -d deploy/terraform --framework terraform --compact --quiet --skip-download

secrets: install ## scan every tracked file for secrets (detect-secrets; audited non-secrets in .secrets.baseline)
	@# The hook rewrites a baseline whose line numbers moved (exit 3): give it a copy, fail only on new findings (exit 1).
	@tmp=$$(mktemp) && cp .secrets.baseline $$tmp && \
		{ out=$$(.venv/bin/detect-secrets-hook --baseline $$tmp $$(git ls-files | grep -vx .secrets.baseline)); rc=$$?; rm -f $$tmp; \
		  if [ $$rc -eq 1 ]; then echo "$$out"; echo "secrets scan: new finding(s); remove them, or mark a false positive with '# pragma: allowlist secret'"; exit 1; fi; \
		  if [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then echo "$$out"; echo "secrets scan: could not run (exit $$rc)"; exit 1; fi; \
		  echo "secrets scan: no new findings"; }

fmt: install ## format and autofix
	$(VENV_PY) -m ruff format .
	$(VENV_PY) -m ruff check --fix .

typecheck: install ## mypy strict
	$(VENV_PY) -m mypy

migrate: install up ## run every service's migrations
	eval "$$($(INFRA) env)" && for s in gateway ingest tracking orders dispatch notify; do $(VENV_PY) -m coldchain_$$s migrate; done

backup: install ## per-schema PostgreSQL dumps of make run's system into DIR (default backups/<UTC time>); services may run
	eval "$$($(INFRA) env)" && $(VENV_PY) -m coldchain_devtools backup $(if $(DIR),--dir $(DIR))

restore: install up ## restore a backup (DIR=...) with the services stopped: schemas, topics, compacted topics, Redis live state
	@test -n "$(DIR)" || { echo "usage: make restore DIR=<backup directory>"; exit 2; }
	eval "$$($(INFRA) env)" && $(VENV_PY) -m coldchain_devtools restore --dir $(DIR)

docs: install ## regenerate docs/reference (configuration from the settings classes, topics from the registry)
	$(VENV_PY) -m coldchain_devtools docs

contracts-snapshot: install ## accept a compatible contracts change into the committed schema snapshot
	$(VENV_PY) -m coldchain_contracts.schema_export

bench-history: install ## history writes (per-row vs COPY) and layout (day partitions vs BRIN), own PostgreSQL
	@$(BENCH_ENV) $(INFRA) up --only postgres
	@trap '$(BENCH_ENV) $(INFRA) down --only postgres' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		$(VENV_PY) bench/history_write.py && $(VENV_PY) bench/history_layout.py

bench-chaos: install ## fault injection skeleton: fixes via the gateway, SIGKILL a tracking replica and PostgreSQL; acked/stored/missing (N=20000)
	$(VENV_PY) bench/chaos.py --fixes $(or $(N),20000) $(ARGS)

bench-teltonika-storm: install ## Teltonika server vs 10,000 hostile connections, then a good device: RSS, held, acked (ARGS="--connections N")
	$(VENV_PY) bench/teltonika_storm.py $(ARGS)

bench-startup: ## time `make run` to its banner, a fix to visible state, and Ctrl-C to nothing left (RUNS=N)
	$(PYTHON) bench/startup.py --runs $(or $(RUNS),1)

bench-demo-loop: install ## time `make run` to a plan that serves orders, a delivered order and its temperature record
	@python3 bench/demo_loop.py $(ARGS)

bench-telemetry: install ## fixes/s through gateway -> ingest -> tracking vs bare Kafka, and freshness (ARGS="--fixes N ...")
	@$(BENCH_ENV) $(INFRA) up
	@trap '$(BENCH_ENV) $(INFRA) down' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		$(BENCH_ENV) $(VENV_PY) bench/telemetry.py $(ARGS)

solve-vrptw: install ## solve one VRPTW instance with the engine portfolio on one thread (FILE=path-or-name SECONDS=5 [SEED=0 ENGINE=auto])
	@test -n "$(FILE)" || { echo "usage: make solve-vrptw FILE=<instance.vrp or Solomon name> SECONDS=<limit>"; exit 2; }
	$(VENV_PY) bench/solve_vrptw.py "$(FILE)" --seconds $(or $(SECONDS),5) --seed $(or $(SEED),0) --engine $(or $(ENGINE),auto)

solve-pdptw: install ## solve one Li & Lim PDPTW instance with the engine portfolio; one JSON line (FILE=path-or-name SECONDS=10 [SEED=0])
	@test -n "$(FILE)" || { echo "usage: make solve-pdptw FILE=<Li & Lim file or name> SECONDS=<limit>"; exit 2; }
	@$(VENV_PY) bench/solve_pdptw.py "$(FILE)" --seconds $(or $(SECONDS),10) --seed $(or $(SEED),0)

simulate-day: install ## one operating day through the real services, greedy vs optimiser; KPI table + RESULT (TRUCKS=20 ORDERS=150 SEED=1 SPEED=300 [ARGS=...])
	$(VENV_PY) bench/simulate_day.py $(if $(TRUCKS),--trucks $(TRUCKS)) $(if $(ORDERS),--orders $(ORDERS)) \
		$(if $(SEED),--seed $(SEED)) $(if $(SPEED),--speed $(SPEED)) $(ARGS)

bench-pdptw: install ## Li & Lim PDPTW: portfolio vs best-known, plain PyVRP and plain OR-tools (SECONDS=10 INSTANCES=lc101,... DIR=...)
	$(VENV_PY) bench/dispatch_pdptw.py --seconds $(or $(SECONDS),10) $(if $(INSTANCES),--instances $(INSTANCES)) $(if $(DIR),--dir $(DIR))

bench-dispatch: install ## Solomon VRPTW benchmark at 1, 5, 30 s with PyVRP and OR-tools anchors (LIMITS=1,5 INSTANCES=C101,R101)
	$(VENV_PY) bench/dispatch_vrptw.py $(if $(LIMITS),--limits $(LIMITS)) $(if $(INSTANCES),--instances $(INSTANCES)) $(if $(ANCHOR_LIMITS),--anchor-limits $(ANCHOR_LIMITS))

$(VEGETA):
	GOBIN=$(dir $(VEGETA)) go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

bench-notify: install ## notifications/min to a webhook receiver failing half its calls: latency p95, lost (ARGS="--events N ...")
	@$(BENCH_ENV) $(INFRA) up --only kafka,postgres
	@trap '$(BENCH_ENV) $(INFRA) down --only kafka,postgres' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		(cd bench && $(BENCH_ENV) ../$(VENV_PY) notify.py $(ARGS))

bench-api: install $(VEGETA) ## gateway reads and telemetry posts under load vs a bare FastAPI endpoint (ARGS="--seconds N ...")
	@$(BENCH_ENV) $(INFRA) up
	@trap '$(BENCH_ENV) $(INFRA) down' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		VEGETA=$(VEGETA) $(BENCH_ENV) $(VENV_PY) bench/api.py $(ARGS)

bench-gateway-stack: install ## CPU per read inside the gateway (ASGI, no network) vs a bare FastAPI endpoint
	@$(BENCH_ENV) $(INFRA) up
	@trap '$(BENCH_ENV) $(INFRA) down' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		(cd bench && $(BENCH_ENV) ../$(VENV_PY) gateway_stack.py $(ARGS))

bench-dispatch-scenario: install ## optimiser vs greedy on seeded 500-order days, insertion latency, re-plan (BENCH_ARGS=...)
	$(VENV_PY) bench/dispatch_scenario.py $(BENCH_ARGS)

bench-dispatch-loop: install ## dispatch service: event-loop stalls while a 500-order plan solves in a thread (BENCH_ARGS=...)
	$(VENV_PY) bench/dispatch_loop_latency.py $(BENCH_ARGS)

bench-orders: install ## orders write path: N PlaceOrder commands to OrderAccepted events (ORDERS=N), own infra
	@$(BENCH_ENV) $(INFRA) up
	@trap '$(BENCH_ENV) $(INFRA) down' EXIT; eval "$$($(BENCH_ENV) $(INFRA) env)" && \
		$(VENV_PY) bench/orders_pipeline.py --orders $(or $(ORDERS),2000)

bench-web: install chromium ## web console in headless Chromium: 10,000 vehicles first render, 1,000 updates/s long tasks, bundle gzip (ARGS=...)
	$(VENV_PY) bench/web_console.py $(ARGS)
