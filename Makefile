# onestop — the two commands: `make demo` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from the machine if it has one, else a private copy installed from PyPI with the machine's Python.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

# No telemetry, no outbound calls, no interpreter downloads.
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export UV_PYTHON_DOWNLOADS := never
# Bytecode written once, at install: a process that may not write it (PYTHONDONTWRITEBYTECODE, a read-only
# environment) otherwise compiles every module it imports, each time (importing Great Expectations: 8-10 s, 3.4 s
# compiled). The Docker image does the same.
export UV_COMPILE_BYTECODE := 1

.PHONY: help install bi-env dbt-manifest system-packages demo test test-fast lint ui bi bench clean warehouse-stop

help:
	@echo "make demo   the main job on the embedded warehouse, end to end"
	@echo "make test   the whole test suite"
	@echo "make test-fast  the unit tests alone (seconds; no warehouse, Airflow or simulator)"
	@echo "make lint   ruff and sqlfluff"
	@echo "make ui     Airflow's UI on the embedded warehouse"
	@echo "make bi     Superset's dashboard on the demo's marts (run make demo first)"
	@echo "make bench  benchmarks at province scale (bench/RESULTS.md)"

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet 'uv>=0.5,<1'

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced dbt-manifest

# Apache Superset in an environment of its own (its pins fight Airflow's), from its own lock.
SUPERSET_VENV := bi/superset/.venv
$(SUPERSET_VENV)/.synced: bi/superset/pyproject.toml bi/superset/uv.lock | $(UV)
	$(UV) sync --project bi/superset --frozen --quiet
	@touch $@

bi-env: $(SUPERSET_VENV)/.synced

# The manifest Cosmos renders the nightly DAG's dbt tasks from (built ahead, never at DAG parse time).
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
dbt_project/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	$(VENV)/bin/onestop dbt parse --quiet
	@touch $@

dbt-manifest: dbt_project/target/manifest.json

demo: install
	$(VENV)/bin/onestop demo

# What the tests need from Debian: Chromium (the report rendered headless) and Redis (the Celery broker of the
# scale-out test). Installed where the machine allows it (root with apt-get, or sudo), as CI's machine does.
SYSTEM_PACKAGES := chromium redis-server fonts-dejavu-core
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-dejavu-core"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then SUDO=""; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
		else echo "onestop: cannot install$$missing (not root, no sudo); the tests that need them will fail"; exit 0; fi; \
		echo "onestop: installing$$missing from Debian"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Two workers, each with its own embedded warehouse (one when ONESTOP_WAREHOUSE_URL names a single server):
# tests/conftest.py.
test: install bi-env system-packages
	$(VENV)/bin/pytest -n auto

test-fast: $(VENV)/.synced
	$(VENV)/bin/pytest tests/unit

# Python with ruff; the dbt models with sqlfluff's dbt templater (.sqlfluff), which compiles them against a
# warehouse (the embedded one, started for the lint and stopped after it).
PY_CODE := onestop simulator dags tests bench bi
lint: install
	$(VENV)/bin/ruff check $(PY_CODE)
	$(VENV)/bin/ruff format --check $(PY_CODE)
	$(PY) -m onestop.local.lint lint

ui: install
	$(VENV)/bin/onestop ui

bi: install bi-env
	$(VENV)/bin/onestop bi

# dlt, the peer the landing is compared with, in an environment of its own (bench/peer), from its own lock.
BENCH_PEER_VENV := bench/peer/.venv
$(BENCH_PEER_VENV)/.synced: bench/peer/pyproject.toml bench/peer/uv.lock | $(UV)
	$(UV) sync --project bench/peer --frozen --quiet
	@touch $@

bench: install $(BENCH_PEER_VENV)/.synced
	$(PY) -m bench.run --demo
	$(PY) -m bench.profile

warehouse-stop:
	-$(VENV)/bin/onestop warehouse stop

clean: warehouse-stop
	rm -rf .onestop dbt_project/target dbt_project/logs $(SUPERSET_VENV)
