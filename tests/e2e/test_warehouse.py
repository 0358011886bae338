"""The warehouse foundation: bootstrap, roles and privileges, the embedded server's lifecycle."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.errors import InsufficientPrivilege

from onestop.local.embedded import EmbeddedError, EmbeddedServer
from onestop.warehouse import airflow_db_url, bootstrap, database_name, with_database

CATALOG_SNAPSHOT = """
select 'schema', nspname, coalesce(nspacl::text, ''), nspowner::regrole::text
  from pg_namespace where nspname in ('raw', 'staging', 'marts', 'audit', 'public')
union all
select 'relation', n.nspname || '.' || c.relname, coalesce(c.relacl::text, ''), c.relkind::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname in ('raw', 'staging', 'marts', 'audit')
union all
select 'column', c.table_schema || '.' || c.table_name || '.' || c.column_name, c.data_type,
       coalesce(c.column_default, '')
  from information_schema.columns c where c.table_schema in ('raw', 'audit')
union all
select 'default_acl', defaclrole::regrole::text || ':' || coalesce(defaclnamespace::regnamespace::text, ''),
       defaclacl::text, defaclobjtype::text
  from pg_default_acl
union all
select 'role', r.rolname, r.rolcanlogin::text || r.rolsuper::text || r.rolcreaterole::text,
       coalesce(r.rolpassword, '')
  from pg_authid r where r.rolname like 'onestop%'
union all
select 'member', m.roleid::regrole::text, m.member::regrole::text, m.admin_option::text
  from pg_auth_members m where m.roleid::regrole::text like 'onestop%'
order by 1, 2, 3
"""


def snapshot(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(CATALOG_SNAPSHOT).fetchall()


def test_bootstrap_creates_the_layout(owner: psycopg.Connection, warehouse_url: str) -> None:
    schemas = {row[0] for row in owner.execute("select nspname from pg_namespace")}
    assert {"raw", "staging", "marts", "audit"} <= schemas
    tables = {
        row[0]
        for row in owner.execute(
            "select schemaname || '.' || tablename from pg_tables where schemaname in ('raw', 'audit')"
        )
    }
    assert {
        "raw.dossier_records",
        "raw.feedback_records",
        "audit.extraction_runs",
        "audit.watermarks",
        "audit.quarantine",
        "audit.quality_results",
        "audit.report_runs",
    } <= tables
    airflow_db = database_name(airflow_db_url(warehouse_url))
    assert owner.execute("select 1 from pg_database where datname = %s", (airflow_db,)).fetchone()


def test_bootstrap_twice_is_a_no_op(owner: psycopg.Connection, warehouse_url: str) -> None:
    before = snapshot(owner)
    done = bootstrap.init(warehouse_url)
    after = snapshot(owner)
    assert before == after
    assert len(before) > 50
    assert not [line for line in done if line.startswith(("created", "set the password"))]


def _attempt(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@pytest.mark.parametrize("table", ["raw.dossier_records", "audit.quarantine", "staging.any_model"])
def test_bi_cannot_read_outside_marts(role_urls: dict[str, str], owner: psycopg.Connection, table: str) -> None:
    owner.execute("create table if not exists staging.any_model (id int)")
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["bi"], f"select * from {table}")


def test_tables_created_later_get_the_right_grants(role_urls: dict[str, str]) -> None:
    name = f"marts.t_{uuid.uuid4().hex[:8]}"
    # The transformer creates a mart as dbt would; BI may read it without any further grant.
    with psycopg.connect(role_urls["transformer"], autocommit=True) as conn:
        conn.execute(f"create table {name} as select 42 as answer")
    with psycopg.connect(role_urls["bi"], autocommit=True) as conn:
        assert conn.execute(f"select answer from {name}").fetchone() == (42,)
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["bi"], f"insert into {name} values (1)")
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["loader"], f"select * from {name}")


def test_loader_writes_raw_and_transformer_only_reads_it(role_urls: dict[str, str]) -> None:
    row = (
        "insert into raw.dossier_records (system_id, kind, batch_id, interval_start, interval_end, extracted_at,"
        " record_key, changed_at, checksum, payload) values ('t', 'csv_drop', 'b', now(), now(), now(),"
        " 'k-grant-test', now(), 'c', '{}')"
    )
    _attempt(role_urls["loader"], "select raw.ensure_month(localtimestamp)")  # the month, as a night adds it
    _attempt(role_urls["loader"], row)
    with psycopg.connect(role_urls["transformer"], autocommit=True) as conn:
        found = conn.execute("select count(*) from raw.dossier_records where record_key = 'k-grant-test'")
        assert found.fetchone() == (1,)
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["transformer"], row)
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["transformer"], "delete from raw.dossier_records")
    with pytest.raises(InsufficientPrivilege):
        _attempt(role_urls["loader"], "create table marts.sneaky (id int)")
    _attempt(role_urls["loader"], "delete from raw.dossier_records where record_key = 'k-grant-test'")


def test_embedded_server_restarts_with_its_data(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "pg")
    try:
        first = server.start()
        url = first.url("postgres")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("create table kept (note text)")
            conn.execute("insert into kept values ('Hồ sơ một cửa')")
        assert server.stop() is True
        assert server.running() is False
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=3)
        second = server.start()
        assert second.password == first.password
        with psycopg.connect(second.url("postgres")) as conn:
            assert conn.execute("select note from kept").fetchall() == [("Hồ sơ một cửa",)]
            # TCP on loopback, not only a socket: BI tools and Airflow need host:port.
            assert conn.info.host == "127.0.0.1"
            assert conn.execute("select inet_server_addr()::text").fetchone() == ("127.0.0.1/32",)
        # Asking again reuses the running server.
        assert server.start().port == second.port
    finally:
        server.stop()
    assert server.stop() is False


def test_embedded_server_keeps_its_port_after_a_crash(tmp_path: Path) -> None:
    import signal
    import socket

    server = EmbeddedServer(tmp_path / "pg")
    try:
        first = server.start()
        conn = psycopg.connect(first.url("postgres"), autocommit=True)
        conn.execute("select 1")
        postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)  # a crash: sessions cut, their sockets left in TIME_WAIT
        conn.close()
        for _ in range(100):
            if not server.running():
                break
            __import__("time").sleep(0.1)
        second = server.start()
        assert second.port == first.port
        with psycopg.connect(second.url("postgres")) as again:
            assert again.execute("select 1").fetchone() == (1,)
        server.stop()
        # Another program on the port: a clear error, never another address.
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", first.port))
            squatter.listen()
            with pytest.raises(EmbeddedError, match=f"port {first.port} of the embedded warehouse is taken"):
                server.start()
    finally:
        server.stop()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "onestop.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_one_url_points_everything_at_another_postgres(warehouse_url: str) -> None:
    """ONESTOP_WAREHOUSE_URL alone moves the warehouse (and Airflow's database beside it)."""
    other_db = f"ext_{uuid.uuid4().hex[:8]}"
    other_url = with_database(warehouse_url, other_db)
    env = {**os.environ, "ONESTOP_WAREHOUSE_URL": other_url}
    result = _cli("warehouse", "init", env=env)
    assert result.returncode == 0, result.stderr
    assert f"created database {other_db}" in result.stdout
    assert f"created database {other_db}_airflow" in result.stdout
    printed = _cli("warehouse", "url", env=env)
    assert printed.stdout.strip() == other_url
    with psycopg.connect(other_url) as conn:
        assert conn.execute("select to_regclass('audit.watermarks') is not null").fetchone() == (True,)
    # Another database of the same embedded server: it is still that server's status that is told.
    status = _cli("warehouse", "status", env=env)
    assert "running on 127.0.0.1:" in status.stdout
    # A server onestop did not start is not managed here.
    elsewhere = {**env, "ONESTOP_WAREHOUSE_URL": "postgresql://x:y@db.invalid:5432/onestop"}
    assert "external and not managed here" in _cli("warehouse", "status", env=elsewhere).stdout


def test_cli_reports_the_embedded_server(warehouse_url: str, external_warehouse: bool) -> None:
    if external_warehouse:
        pytest.skip("an external warehouse is in use")
    env = {k: v for k, v in os.environ.items() if k != "ONESTOP_WAREHOUSE_URL"}
    status = _cli("warehouse", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "running on 127.0.0.1:" in status.stdout
    bi_url = _cli("warehouse", "url", "--role", "bi", env=env).stdout.strip()
    with psycopg.connect(bi_url) as conn:
        assert conn.execute("select current_user").fetchone() == ("onestop_bi",)
