"""What every test shares: no telemetry from any library. The warehouse, Airflow and the simulated provinces
belong to the end-to-end tests (tests/e2e/conftest.py); tests/unit needs none of them."""

from __future__ import annotations

import os

from onestop.settings import QUIET_ENV

for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)

# `make test` runs the suite on two workers (pytest-xdist), each with its own embedded warehouse and Airflow
# database. A module's tests stay on one worker (their module fixtures are built once); so do the modules that share
# a session-scoped province, which is built once per worker that asks for it.
SHARED_FIXTURE_MODULES = {
    "tests/e2e/test_bi.py": "reported",
    "tests/e2e/test_privacy.py": "reported",
    "tests/e2e/test_report.py": "reported",
    "tests/e2e/test_modes.py": "small_province",
    "tests/e2e/test_simulate_contract.py": "small_province",
}


def pytest_xdist_auto_num_workers(config) -> int:
    """Two workers where each can start its own warehouse; one where the environment names a single warehouse
    (the e2e tests empty and rebuild its schemas: two workers on it would undo each other's provinces)."""
    return 1 if os.environ.get("ONESTOP_WAREHOUSE_URL") else min(2, os.cpu_count() or 1)


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return SHARED_FIXTURE_MODULES.get(module, module)

    return ByModule(config, log)
