"""Nothing leaked, on the province the nightly and monthly DAGs built (conftest's `reported`): no citizen's name,
ID number, phone or e-mail in any column of staging or marts; the keyed hash is the
HMAC of the province's key; each role is held to its schema, attempted for real; no secret in logs, rendered
task fields or the repository."""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess

import psycopg
import pytest

from onestop.settings import PROJECT_ROOT, state_dir
from onestop.warehouse import airflow_db_url
from onestop.warehouse.bootstrap import pii_key, role_passwords
from tests.e2e.helpers.personal_data import people
from tests.e2e.helpers.reported_province import FIRST, NEXT

ROOT = PROJECT_ROOT


def relations(conn) -> list[tuple[str, str, list[tuple[str, str]]]]:
    rows = conn.execute(
        "select c.table_schema, c.table_name, c.column_name, c.data_type from information_schema.columns c"
        " where c.table_schema in ('staging', 'marts')"
        " and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')"
        " order by 1, 2, c.ordinal_position"
    ).fetchall()
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, kind in rows:
        grouped.setdefault((schema, table), []).append((column, kind))
    return [(schema, table, columns) for (schema, table), columns in grouped.items()]


def test_no_personal_value_in_any_staging_or_marts_column(reported, warehouse_url) -> None:
    values = people(reported["sim"], FIRST, NEXT)
    assert all(len(v) > 100 for k, v in values.items() if k != "email"), {k: len(v) for k, v in values.items()}
    every = set().union(*values.values())
    leaks = []
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("create temp table pii (value text primary key)")
        with conn.cursor().copy("copy pii from stdin") as copy:
            for value in every:
                copy.write_row((value,))
        scanned = 0
        for schema, table, columns in relations(conn):
            for column, _ in columns:
                cell = f'"{column}"::text'
                # Whole values, and every quoted string, digit run or address inside structured text.
                hits = conn.execute(
                    f'select distinct pii.value from {schema}."{table}" as t'
                    f" cross join lateral (select {cell} as v union all"
                    f' select (regexp_matches({cell}, \'"([^"]{{6,}})"|(\\d{{9,12}})|([^\\s"@]+@[^\\s"]+)\', \'g\'))[k]'
                    f" from generate_series(1, 3) as k) as pieces"
                    f" join pii on pii.value = pieces.v"
                ).fetchall()
                leaks += [(schema, table, column, value) for (value,) in hits]
                scanned += 1
    assert scanned > 100
    assert not leaks, leaks[:10]


def test_the_keyed_hash_is_the_hmac_of_the_province_key(reported, warehouse_url) -> None:
    sim = reported["sim"]
    by_code = {d.code: d.applicant_id for s in sim.world.systems for d in sim.world.dossiers(s.id, FIRST, NEXT)}
    with psycopg.connect(warehouse_url) as conn:
        rows = conn.execute(
            "select dossier_code, applicant_id_hash from marts.fct_dossiers where applicant_id_hash is not null"
            " order by dossier_code limit 200"
        ).fetchall()
    assert len(rows) == 200
    key = pii_key().encode()
    for code, digest in rows:
        assert digest == hmac.new(key, by_code[code].encode(), hashlib.sha256).hexdigest(), code
        # Another key gives another hash: without the province's key the hash cannot be recomputed.
        assert digest != hmac.new(b"another key", by_code[code].encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("role", "statement"),
    [
        ("onestop_bi", "select 1 from raw.dossier_records limit 1"),
        ("onestop_bi", "select 1 from staging.int_dossiers_deduplicated limit 1"),
        ("onestop_bi", "select 1 from audit.quality_results limit 1"),
        ("onestop_bi", "delete from marts.fct_dossiers"),
        ("onestop_loader", "delete from marts.fct_dossiers"),
        ("onestop_loader", "insert into marts.night_completeness select * from marts.night_completeness limit 1"),
        ("onestop_loader", "drop table marts.fct_unit_month_scorecard"),
        ("onestop_transformer", "insert into raw.dossier_records select * from raw.dossier_records limit 1"),
        ("onestop_transformer", "delete from raw.feedback_records"),
        ("onestop_transformer", "delete from audit.quarantine"),
    ],
)
def test_each_role_is_held_to_its_schema(reported, warehouse_url, role: str, statement: str) -> None:
    password = role_passwords()[role]
    url = re.sub(r"//[^@]+@", f"//{role}:{password}@", warehouse_url)
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    with psycopg.connect(re.sub(r"//[^@]+@", f"//onestop_bi:{role_passwords()['onestop_bi']}@", warehouse_url)) as c:
        assert c.execute("select count(*) from marts.fct_dossiers").fetchone()[0] > 0  # BI reads the marts


def test_no_secret_in_logs_rendered_fields_or_the_repository(reported, warehouse_url) -> None:
    sim = reported["sim"]
    secrets = {pii_key(), *role_passwords().values(), re.search(r"//[^:]+:([^@]+)@", warehouse_url).group(1)}
    secrets |= set(sim.state.tokens.values()) | set(sim.state.passwords.values())
    secrets = {s for s in secrets if s and len(s) >= 8}
    assert len(secrets) >= 8
    # Task logs are checked where executors wrote them (dag.test prints its tasks' logs to the test's output).
    logs = "\n".join(p.read_text(errors="replace") for p in (state_dir() / "airflow" / "logs").rglob("*.log"))
    with psycopg.connect(airflow_db_url(warehouse_url)) as conn:
        rendered = "\n".join(
            str(r) for (r,) in conn.execute("select rendered_fields from rendered_task_instance_fields")
        )
    assert rendered
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    repository = b"\n".join((ROOT / f.decode()).read_bytes() for f in tracked if f and (ROOT / f.decode()).is_file())
    for secret in secrets:
        assert secret not in logs and secret not in rendered, "a secret is in a log or a rendered field"
        assert secret.encode() not in repository
