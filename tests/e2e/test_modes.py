"""Safe to point at a real province: the pipeline never starts a server or falls back to a default, the demo never
writes into a warehouse it did not start, `warehouse init` never replaces what it set before unless asked, the
registry is checked as the DAG reads it, and retention can be tried before it deletes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from datetime import date

import psycopg
import pytest

from onestop.warehouse import WarehouseNotConfigured, bootstrap, role_url, with_database
from simulator.server import Servers
from tests.e2e.helpers.nightly import captured_output, run_night

logs_in = bootstrap.can_log_in

ONESTOP = [sys.executable, "-m", "onestop.cli"]


def postgres_servers() -> int:
    """Running PostgreSQL server processes (postmasters) on this machine."""
    found = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
    return sum(1 for line in found if re.search(r"/postgres\s+-D\s", line))


def fingerprint(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("select fingerprint from audit.pseudonym_key").fetchone()[0]


def test_a_night_without_the_warehouse_setting_fails_naming_it_and_starts_no_server(
    airflow_db, small_province, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("ONESTOP_REGISTRY", str(small_province.registry_path))
    monkeypatch.delenv("ONESTOP_WAREHOUSE_URL")
    servers = postgres_servers()
    with captured_output(tmp_path / "night.log"):
        _, states = run_night(date(2025, 7, 20))
    log = (tmp_path / "night.log").read_text()
    assert states["extract"] == ["failed"] * 9 and states["load_reference"] == ["failed"], states
    assert states["summarize_night"] == ["failed"]
    assert log.count("ONESTOP_WAREHOUSE_URL is not set") >= 11, log[-3000:]
    assert postgres_servers() == servers


def test_the_demo_refuses_a_warehouse_it_did_not_start_and_writes_nothing(warehouse_url, owner, tmp_path) -> None:
    def state():
        databases = {d for (d,) in owner.execute("select datname from pg_database")}
        counts = owner.execute(
            "select (select count(*) from raw.dossier_records), (select count(*) from audit.nights),"
            " (select count(*) from audit.extraction_runs), (select fingerprint from audit.pseudonym_key)"
        ).fetchone()
        return databases, counts

    before = state()
    # Run from another installation (its own state folder): the session's server is not one it started.
    env = {**os.environ, "ONESTOP_WAREHOUSE_URL": warehouse_url, "ONESTOP_STATE_DIR": str(tmp_path)}
    result = subprocess.run([*ONESTOP, "demo"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "names a warehouse the demo did not start" in result.stderr and "--external-warehouse" in result.stderr
    assert result.stdout == "" and state() == before


def test_init_again_with_other_secrets_keeps_the_first_key_and_passwords(warehouse_url, role_urls, monkeypatch):
    key_before = fingerprint(warehouse_url)
    monkeypatch.setenv("ONESTOP_PII_KEY", "a key typed on another laptop")
    monkeypatch.setenv("ONESTOP_BI_PASSWORD", "another-password")
    with pytest.raises(bootstrap.BootstrapConflict) as refused:
        bootstrap.init(warehouse_url)
    message = str(refused.value)
    assert "NOT CHANGED: the warehouse's pseudonymisation key differs" in message and "--rotate-key" in message
    assert "NOT CHANGED: onestop_bi logs in with another password than ONESTOP_BI_PASSWORD" in message
    assert fingerprint(warehouse_url) == key_before
    assert logs_in(role_urls["bi"]) and not logs_in(role_url("onestop_bi", "another-password", warehouse_url))
    # The CLI says the same and fails (no traceback).
    env = {**os.environ, "ONESTOP_WAREHOUSE_URL": warehouse_url}
    result = subprocess.run([*ONESTOP, "warehouse", "init"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "NOT everything configured was applied" in result.stdout, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_an_upgraded_warehouse_keeps_the_passwords_an_older_init_set(warehouse_url, role_urls, owner, monkeypatch):
    """A warehouse from before audit.role_passwords_set: the roles that have a password keep it."""
    kept = owner.execute("select role_name from audit.role_passwords_set order by 1").fetchall()
    owner.execute("drop table audit.role_passwords_set")  # as an older init left the warehouse
    monkeypatch.setenv("ONESTOP_BI_PASSWORD", "a password typed elsewhere")
    with pytest.raises(bootstrap.BootstrapConflict, match="NOT CHANGED: onestop_bi logs in with another password"):
        bootstrap.init(warehouse_url)
    assert logs_in(role_urls["bi"])
    assert owner.execute("select role_name from audit.role_passwords_set order by 1").fetchall() == kept


def test_asked_explicitly_init_rotates_the_key_and_resets_a_password(warehouse_url, role_urls, monkeypatch):
    # The key is the database's own: rotated in a database of its own, the session's warehouse keeps its key.
    other = with_database(warehouse_url, "onestop_rotation")
    bootstrap.init(other)
    monkeypatch.setenv("ONESTOP_PII_KEY", "the new key")
    with pytest.raises(bootstrap.BootstrapConflict):
        bootstrap.init(other)
    done = bootstrap.init(other, rotate_key=True)
    assert any(line.startswith("replaced the pseudonymisation key") for line in done)
    assert fingerprint(other) == hashlib.sha256(b"the new key").hexdigest()
    monkeypatch.delenv("ONESTOP_PII_KEY")
    # Roles are the server's: a password reset is undone at once.
    monkeypatch.setenv("ONESTOP_BI_PASSWORD", "reset-password")
    try:
        assert "set the password of onestop_bi" in bootstrap.init(warehouse_url, reset_passwords=True)
        assert logs_in(role_url("onestop_bi", "reset-password", warehouse_url)) and not logs_in(role_urls["bi"])
    finally:
        monkeypatch.delenv("ONESTOP_BI_PASSWORD")
        bootstrap.init(warehouse_url, reset_passwords=True)
    assert logs_in(role_urls["bi"])


def test_a_server_other_than_the_embedded_one_must_be_given_every_secret(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ONESTOP_STATE_DIR", str(tmp_path))  # nothing saved there
    with pytest.raises(WarehouseNotConfigured, match="ONESTOP_PII_KEY is not set"):
        bootstrap.pii_key()
    with pytest.raises(WarehouseNotConfigured, match="ONESTOP_LOADER_PASSWORD is not set"):
        bootstrap.role_passwords()
    assert not list(tmp_path.iterdir())  # nothing generated


def test_registry_check_reads_the_registry_as_the_dag_does(small_province, tmp_path) -> None:
    with Servers(small_province):  # the API systems' connections name the ports they serve on
        env = {**os.environ, **small_province.connections()}
    env.pop("ONESTOP_REGISTRY", None)
    check = [*ONESTOP, "registry", "check", "--registry", str(small_province.registry_path)]
    result = subprocess.run(check, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "registry check passed: a night extracts 9 system(s)" in result.stdout
    assert len(re.findall(r"^  \w+ +(dvcqg_api|onegate_db|csv_drop) ", result.stdout, re.MULTILINE)) == 9
    env.pop("AIRFLOW_CONN_ONESTOP_TUYAN")
    result = subprocess.run(check, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and re.search(r"tuyan .*connection 'onestop_tuyan' not found", result.stdout)
    # A typo in a copy of the registry: refused with the key and its line, as one line, no traceback.
    folder = tmp_path / "copy"
    shutil.copytree(small_province.registry_path.parent, folder, ignore=shutil.ignore_patterns("drops", "*.json*"))
    text = (folder / "registry.yml").read_text(encoding="utf-8")
    (folder / "registry.yml").write_text(text.replace("enabled: true", "enable: true", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "enabled: true" in row)
    result = subprocess.run(
        [*ONESTOP, "registry", "check", "--registry", str(folder / "registry.yml")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and f"registry.yml:{line}: systems[0]: unknown key 'enable'" in result.stderr
    assert "Traceback" not in result.stderr


def test_purge_dry_run_counts_and_deletes_nothing(warehouse_url) -> None:
    from onestop.extract.retention import purge

    insert = (
        "insert into raw.dossier_records (system_id, kind, batch_id, interval_start, interval_end, extracted_at,"
        " record_key, changed_at, checksum, payload) values ('drytest', 'csv_drop', 'b', %s, %s, %s, 'K', %s,"
        " 'c', '{}')"
    )
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        for day in ("2024-01-10", "2025-06-01"):
            conn.execute("select raw.ensure_month(%s)", (day,))
            conn.execute(insert, (day, day, day, day))
        would = purge(warehouse_url, date(2025, 6, 10), dry_run=True)
        kept = conn.execute("select count(*) from raw.dossier_records where system_id = 'drytest'").fetchone()[0]
        done = purge(warehouse_url, date(2025, 6, 10))
        left = conn.execute("select count(*) from raw.dossier_records where system_id = 'drytest'").fetchone()[0]
        conn.execute("delete from raw.dossier_records where system_id = 'drytest'")
    assert would["dossiers: superseded versions"] >= 1 and kept == 2
    assert done == would and left == 1


def test_an_onegate_db_vendor_schema_named_in_the_connection(warehouse_url, owner, monkeypatch) -> None:
    """A vendor whose tables live outside the login's default schema: the connection's extra `vendor_schema`."""
    import json
    from datetime import datetime
    from types import SimpleNamespace

    from onestop.sources import SchemaError, SourceError
    from onestop.sources.onegate_db import OnegateDbSource
    from tests.e2e.helpers.vendor import vendor_database

    connection = vendor_database(warehouse_url)
    entry = SimpleNamespace(id="motcua", conn_id="onestop_motcua")
    window = (datetime(2025, 6, 1), datetime(2025, 6, 2))
    monkeypatch.setenv("AIRFLOW_CONN_ONESTOP_MOTCUA", json.dumps(connection))
    with pytest.raises(SchemaError, match="table dossier has no column"):  # public has none of it
        list(OnegateDbSource(entry, *window).records())
    monkeypatch.setenv("AIRFLOW_CONN_ONESTOP_MOTCUA", json.dumps({**connection, "extra": {"vendor_schema": "motcua"}}))
    records = list(OnegateDbSource(entry, *window).records())
    assert [(r.entity, r.payload["title"]) for r in records] == [("feedback", "Tiêu đề")]
    extra = {"extra": {"vendor_schema": "nowhere"}}
    monkeypatch.setenv("AIRFLOW_CONN_ONESTOP_MOTCUA", json.dumps({**connection, **extra}))
    with pytest.raises(SourceError, match="schema 'nowhere' .* does not exist"):
        list(OnegateDbSource(entry, *window).records())


def test_onestop_night_runs_one_night_through_the_dag_with_its_summary(airflow_db, small_province, warehouse_url):
    with Servers(small_province):
        env = {**os.environ, **small_province.connections(), "ONESTOP_WAREHOUSE_URL": warehouse_url}
        env.pop("ONESTOP_REGISTRY", None)
        command = [*ONESTOP, "night", "--date", "2025-07-20", "--no-transform"]
        result = subprocess.run(
            [*command, "--registry", str(small_province.registry_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("run "))
    assert lines[start].endswith(": success")
    assert "9 extract tasks, 0 dbt tasks (Cosmos), all successful" in lines[start + 1]
    landed = [line for line in lines if re.match(r"  \w+ +success +read +\d+ +landed +\d+", line)]
    assert len(landed) == 9
    with psycopg.connect(warehouse_url) as conn:
        delivered = conn.execute("select delivered from audit.nights where interval_start = '2025-07-20'").fetchone()
    assert delivered and len(delivered[0]) == 9
    # A night that is not one: the expected form, one line.
    bad = subprocess.run([*ONESTOP, "night", "--date", "2025-07-32"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "expected YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def marts_probe(owner):
    """A table in marts (the loader may read none), gone after the test."""
    owner.execute("create table if not exists marts.modes_probe (dossier_code text)")
    yield
    owner.execute("drop table marts.modes_probe")


@pytest.mark.parametrize(
    ("role", "forbidden"),
    [
        ("onestop_loader", "select count(*) from marts.modes_probe"),
        ("onestop_loader", "select count(*) from audit.pseudonym_key"),
        ("onestop_transformer", "insert into raw.ref_units (unit_code) values ('X')"),
        ("onestop_bi", "select count(*) from raw.dossier_records"),
        ("onestop_bi", "select count(*) from audit.extraction_runs"),
    ],
)
def test_each_task_logs_in_as_its_role_and_reset_role_reaches_nothing_more(marts_probe, role, forbidden):
    from onestop.warehouse.credentials import login_url

    with psycopg.connect(login_url(role), autocommit=True) as conn:
        assert conn.execute("select session_user, current_user").fetchone() == (role, role)
        conn.execute("reset role")  # on the owner's login this went back to a superuser; here it stays the role
        assert conn.execute("select current_user").fetchone() == (role,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(forbidden)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("copy (select 1) to program 'id'")  # a shell as the database's OS user: never
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("set role onestop_transformer" if role != "onestop_transformer" else "set role onestop_loader")


def test_airflow_logs_in_as_its_own_role_which_owns_its_database_and_nothing_else(airflow_db, warehouse_url, owner):
    """Airflow's components (and its migrations) use `onestop_airflow`: the owner of Airflow's database, no
    superuser, nothing in the warehouse. A database an older init made under the server's owner is handed over."""
    from onestop.warehouse import airflow_db_url
    from onestop.warehouse.credentials import airflow_login_url

    connection = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert connection.startswith("postgresql+psycopg://onestop_airflow:")
    login = airflow_login_url(warehouse_url)
    with psycopg.connect(login, autocommit=True) as conn:
        assert conn.execute(
            "select rolsuper or rolcreaterole or rolcreatedb from pg_roles where rolname = current_user"
        ).fetchone() == (False,)
        # Airflow's migrated tables are all its own.
        owners = conn.execute(
            "select distinct pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and c.relkind in ('r', 'S', 'v')"
        ).fetchall()
        assert owners == [("onestop_airflow",)]
        assert conn.execute("select count(*) from dag").fetchone()[0] >= 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("copy (select 1) to program 'id'")
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        psycopg.connect(with_database(login, "onestop"), autocommit=True) as conn,
    ):
        conn.execute("select count(*) from raw.dossier_records")
    # What the server's owner left in Airflow's database (an init before this one) is handed over by the next.
    with psycopg.connect(airflow_db_url(warehouse_url), autocommit=True) as conn:
        conn.execute("create table left_by_owner (id serial primary key)")
    try:
        done = bootstrap.init(warehouse_url)
        assert any("onestop_airflow owns the 1 objects" in line for line in done), done
        with psycopg.connect(login, autocommit=True) as conn:
            conn.execute("insert into left_by_owner default values")
    finally:
        with psycopg.connect(airflow_db_url(warehouse_url), autocommit=True) as conn:
            conn.execute("drop table left_by_owner")
