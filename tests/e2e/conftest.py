"""End-to-end test infrastructure: a real PostgreSQL for every test here, Airflow's metadata database, provinces.

A throwaway embedded server per session (its state folder in pytest's tmp), or the server that
`ONESTOP_WAREHOUSE_URL` names when set. Either way the warehouse is bootstrapped from `sql/` first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from onestop.settings import QUIET_ENV, STATE_DIR_VAR, WAREHOUSE_URL_VAR
from tests.e2e.helpers.net import free_port

for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)

# Read once, before the session's own embedded server is set in the environment.
EXTERNAL_URL = os.environ.get(WAREHOUSE_URL_VAR)
_SESSION: dict = {}


def pytest_configure(config: pytest.Config) -> None:
    """Start the warehouse and fix Airflow's environment before anything imports Airflow (it reads its
    configuration once, at import)."""
    from onestop import local, warehouse
    from onestop.local.airflow_env import apply_airflow_environment
    from onestop.warehouse import bootstrap

    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        return  # pytest-xdist's controller: the workers start their own
    if EXTERNAL_URL and os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") != "1":
        raise pytest.UsageError(f"{WAREHOUSE_URL_VAR} names one warehouse: run the tests on one worker (-n 1)")
    state = Path(tempfile.mkdtemp(prefix="onestop-test-"))
    os.environ[STATE_DIR_VAR] = str(state)
    # dbt's artifacts and logs beside this worker's warehouse, not in the project another worker also builds from.
    os.environ["DBT_TARGET_PATH"] = str(state / "dbt-target")
    os.environ["DBT_LOG_PATH"] = str(state / "dbt-logs")
    # Airflow's api-server, when a test starts one, on a port of its own (never a UI already on 8080).
    os.environ.setdefault("ONESTOP_AIRFLOW_PORT", str(free_port()))
    server = None if EXTERNAL_URL else local.embedded()
    url = EXTERNAL_URL or server.start().url(warehouse.WAREHOUSE_DB)
    os.environ[WAREHOUSE_URL_VAR] = url
    bootstrap.init(url, generate_secrets=not EXTERNAL_URL)
    apply_airflow_environment(url)
    os.environ.setdefault("ONESTOP_TASK_RETRIES", "0")  # tests see failures at once; retries are configuration
    _SESSION.update(state=state, server=server, url=url)


def pytest_unconfigure(config: pytest.Config) -> None:
    server = _SESSION.get("server")
    if server is not None:
        server.stop()
    if _SESSION.get("state"):
        shutil.rmtree(_SESSION["state"], ignore_errors=True)


@pytest.fixture(scope="session")
def external_warehouse() -> bool:
    return bool(EXTERNAL_URL)


@pytest.fixture(scope="session")
def state_dir() -> Path:
    return _SESSION["state"]


@pytest.fixture(scope="session")
def warehouse_url() -> str:
    return _SESSION["url"]


@pytest.fixture(scope="session")
def airflow_db(warehouse_url: str) -> str:
    """Airflow's metadata database, migrated once per session, with the pool the DAGs use."""
    from onestop.orchestration import init_airflow

    init_airflow()
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


@pytest.fixture
def owner(warehouse_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def role_urls(warehouse_url: str) -> dict[str, str]:
    from onestop.warehouse import ROLES, bootstrap, role_url

    passwords = bootstrap.role_passwords()
    return {role.removeprefix("onestop_"): role_url(role, passwords[role], warehouse_url) for role in ROLES}


@pytest.fixture(scope="session")
def small_province(warehouse_url: str, tmp_path_factory: pytest.TempPathFactory):
    """A small demo province whose history crosses 1 July 2025, advanced to 20 July 2025."""
    from datetime import date

    from simulator.simulation import Simulation

    sim = Simulation(tmp_path_factory.mktemp("province"), warehouse_url, name="simsmall")
    sim.generate(date(2025, 5, 15), date(2025, 7, 20), seed=7, preset="small")
    return sim


@pytest.fixture
def fresh_province(warehouse_url: str, tmp_path: Path, request: pytest.FixtureRequest):
    """A tiny province of its own (its own databases), for tests that break things."""
    from datetime import date

    from simulator.simulation import Simulation

    name = "simf" + str(abs(hash(request.node.nodeid)) % 10**8)
    sim = Simulation(tmp_path / "province", warehouse_url, name=name)
    sim.generate(date(2025, 6, 2), date(2025, 6, 20), seed=11, preset="small")
    return sim


@pytest.fixture(scope="session")
def reported(airflow_db, warehouse_url, tmp_path_factory):
    """A province-month through the nightly and monthly DAGs (tests/e2e/helpers/reported_province.py), built once."""
    from tests.e2e.helpers.reported_province import build_reported

    saved = os.environ.get("ONESTOP_REPORTS_DIR")
    yield build_reported(tmp_path_factory.mktemp("reported"), warehouse_url)
    if saved is None:
        os.environ.pop("ONESTOP_REPORTS_DIR", None)
    else:
        os.environ["ONESTOP_REPORTS_DIR"] = saved
