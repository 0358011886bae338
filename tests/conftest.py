"""Test infrastructure: a real PostgreSQL for every test that touches SQL.

A throwaway embedded server per session (its state folder in pytest's tmp), or the server that
`ONESTOP_WAREHOUSE_URL` names when set. Either way the warehouse is bootstrapped from `sql/` first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from onestop.settings import QUIET_ENV, STATE_DIR_VAR, WAREHOUSE_URL_VAR

for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)

# Read once, before any fixture sets it for the session's own embedded server.
EXTERNAL_URL = os.environ.get(WAREHOUSE_URL_VAR)


@pytest.fixture(scope="session")
def external_warehouse() -> bool:
    return bool(EXTERNAL_URL)


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An isolated state folder, so tests never touch the developer's own embedded warehouse."""
    path = tmp_path_factory.mktemp("onestop-state")
    previous = os.environ.get(STATE_DIR_VAR)
    os.environ[STATE_DIR_VAR] = str(path)
    yield path
    if previous is None:
        os.environ.pop(STATE_DIR_VAR, None)
    else:
        os.environ[STATE_DIR_VAR] = previous


@pytest.fixture(scope="session")
def warehouse_url(state_dir: Path) -> Iterator[str]:
    from onestop import warehouse
    from onestop.warehouse import bootstrap

    server = None if EXTERNAL_URL else warehouse.embedded()
    url = EXTERNAL_URL or server.start().url(warehouse.WAREHOUSE_DB)
    os.environ[WAREHOUSE_URL_VAR] = url
    bootstrap.init(url)
    yield url
    if server is not None:
        os.environ.pop(WAREHOUSE_URL_VAR, None)
        server.stop()


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

    from onestop.simulate.simulation import Simulation

    sim = Simulation(tmp_path_factory.mktemp("province"), warehouse_url, name="simsmall")
    sim.generate(date(2025, 5, 15), date(2025, 7, 20), seed=7, preset="small")
    return sim


@pytest.fixture
def fresh_province(warehouse_url: str, tmp_path: Path, request: pytest.FixtureRequest):
    """A tiny province of its own (its own databases), for tests that break things."""
    from datetime import date

    from onestop.simulate.simulation import Simulation

    name = "simf" + str(abs(hash(request.node.nodeid)) % 10**8)
    sim = Simulation(tmp_path / "province", warehouse_url, name=name)
    sim.generate(date(2025, 6, 2), date(2025, 6, 20), seed=11, preset="small")
    return sim
