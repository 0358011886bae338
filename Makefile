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

.PHONY: help install dbt-manifest demo test lint ui bench clean warehouse-stop

help:
	@echo "make demo   the main job on the embedded warehouse, end to end"
	@echo "make test   the whole test suite"
	@echo "make lint   ruff and sqlfluff"
	@echo "make ui     Airflow's UI on the embedded warehouse"
	@echo "make bench  benchmarks at province scale (bench/RESULTS.md)"

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet 'uv>=0.5,<1'

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: $(VENV)/.synced dbt-manifest

# The manifest Cosmos renders the nightly DAG's dbt tasks from (built ahead, never at DAG parse time).
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
dbt_project/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	$(VENV)/bin/onestop dbt parse --quiet
	@touch $@

dbt-manifest: dbt_project/target/manifest.json

demo: install
	$(VENV)/bin/onestop demo

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check onestop dags tests bench
	$(VENV)/bin/ruff format --check onestop dags tests bench

ui: install
	$(VENV)/bin/onestop ui

bench: install
	$(PY) -m bench.run

warehouse-stop:
	-$(VENV)/bin/onestop warehouse stop

clean: warehouse-stop
	rm -rf .onestop dbt_project/target dbt_project/logs
