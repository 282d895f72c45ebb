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
TEST_ENV := COLDCHAIN_LOCAL_DIR=$(CURDIR)/.local/test COLDCHAIN_KAFKA_PORT=29092 COLDCHAIN_PG_PORT=25432 COLDCHAIN_REDIS_PORT=26379

.PHONY: help install up down status run test test-fast lint fmt typecheck topics migrate contracts-snapshot bench-startup bench-orders

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

install: .venv/.synced ## install uv and every workspace package (locked versions)
.venv/.synced: uv.lock pyproject.toml $(wildcard */*/pyproject.toml)
	@# A distribution's own Python refuses plain pip installs (PEP 668): fall back to the user site.
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check --user --break-system-packages "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python 3.11 --all-packages
	@touch $@

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

test: install lint typecheck ## lint, type-check, and every test against real Kafka, PostgreSQL, Redis
	@$(TEST_ENV) $(INFRA) up
	@trap '$(TEST_ENV) $(INFRA) down' EXIT; eval "$$($(TEST_ENV) $(INFRA) env)" && \
		$(VENV_PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## unit and component tests only (no infrastructure)
	$(VENV_PY) -m pytest -m "unit or component" $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m ruff format --check .

fmt: install ## format and autofix
	$(VENV_PY) -m ruff format .
	$(VENV_PY) -m ruff check --fix .

typecheck: install ## mypy strict
	$(VENV_PY) -m mypy

migrate: install up ## run every service's migrations
	eval "$$($(INFRA) env)" && for s in gateway ingest tracking orders dispatch; do $(VENV_PY) -m coldchain_$$s migrate; done

contracts-snapshot: install ## accept a compatible contracts change into the committed schema snapshot
	$(VENV_PY) -m coldchain_contracts.schema_export

bench-startup: ## time `make run` to its banner, a fix to visible state, and Ctrl-C to nothing left (RUNS=N)
	$(PYTHON) bench/startup.py --runs $(or $(RUNS),1)

bench-orders: install up ## orders write path: N PlaceOrder commands to OrderAccepted events (ORDERS=N)
	eval "$$($(INFRA) env)" && $(VENV_PY) bench/orders_pipeline.py --orders $(or $(ORDERS),2000)
