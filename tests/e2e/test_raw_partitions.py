"""`raw` is partitioned by month of the night: a warehouse from before moves with `onestop raw partition`, once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest

from onestop.warehouse import bootstrap, role_url, with_database
from onestop.warehouse.partitions import months

# raw's tables as a warehouse bootstrapped before the partitioning has them (plain tables, the owner's).
PLAIN_RAW = """
drop table raw.dossier_records, raw.feedback_records;
create table raw.dossier_records (
    system_id text not null, kind text not null, batch_id text not null, interval_start timestamp not null,
    interval_end timestamp not null, extracted_at timestamptz not null, record_key text not null,
    changed_at timestamp not null, checksum text not null, payload jsonb not null
);
create index dossier_records_key on raw.dossier_records (record_key, changed_at);
create index dossier_records_batch on raw.dossier_records (system_id, interval_start);
create table raw.feedback_records (like raw.dossier_records including all);
grant select, insert, update, delete, truncate on raw.dossier_records, raw.feedback_records to onestop_loader;
grant select on raw.dossier_records, raw.feedback_records to onestop_transformer;
"""
ROW = (
    "insert into raw.{table} (system_id, kind, batch_id, interval_start, interval_end, extracted_at, record_key,"
    " changed_at, checksum, payload) values ('old', 'csv_drop', 'b', %s, %s, now(), %s, %s, 'c', %s)"
)


@pytest.fixture
def older_warehouse(warehouse_url: str):
    url = with_database(warehouse_url, f"old_{uuid.uuid4().hex[:8]}")
    bootstrap.init(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PLAIN_RAW)
        for table, key, night in (
            ("dossier_records", "D1", "2025-05-31"),
            ("dossier_records", "D1", "2025-06-01"),
            ("dossier_records", "D2", "2025-07-14"),
            ("feedback_records", "F1", "2025-06-03"),
        ):
            conn.execute(ROW.format(table=table), (night, night, key, night, f'{{"k": "{key} {night}"}}'))
        # dbt's staging views read raw (a view over a view too), bound to the plain tables.
        conn.execute("create view staging.stg_old__dossiers as select record_key from raw.dossier_records")
        conn.execute("create view staging.int_old as select count(*) as n from staging.stg_old__dossiers")
    return url


def test_an_older_warehouse_is_refused_then_moved_once(older_warehouse: str) -> None:
    url = older_warehouse
    loader = role_url("onestop_loader", bootstrap.role_passwords()["onestop_loader"], url)
    # A night on the plain tables fails at once, naming the command (nothing half-landed).
    with psycopg.connect(loader, autocommit=True) as conn, pytest.raises(psycopg.errors.RaiseException) as refused:
        conn.execute("select raw.ensure_month('2025-07-15')")
    assert "onestop raw partition" in str(refused.value)
    assert any(line.startswith("NOTE: raw is not partitioned") for line in bootstrap.init(url))

    env = {**os.environ, "ONESTOP_WAREHOUSE_URL": url}
    # A view of someone else's over raw is not dropped unasked: nothing changes, and the command says why.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create view public.province_extract as select count(*) as n from raw.feedback_records")
    refused = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "raw", "partition"], capture_output=True, text=True, env=env, timeout=120
    )
    assert refused.returncode == 1 and "public.province_extract" in refused.stderr
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select to_regclass('staging.int_old') is not null").fetchone() == (True,)
        conn.execute("drop view public.province_extract")
    moved = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "raw", "partition"], capture_output=True, text=True, env=env, timeout=120
    )
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.splitlines() == [
        "dropped 2 staging views that read raw (dbt's next build creates them again)",
        "raw.dossier_records: 3 rows moved into 3 month partitions",
        "raw.feedback_records: 1 rows moved into 3 month partitions",  # a month holds both tables
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        assert months(conn, "dossier_records") == [
            "dossier_records_2025_05",
            "dossier_records_2025_06",
            "dossier_records_2025_07",
        ]
        # Each row in the month of its night, as it was; the parent and its months the loader's.
        assert conn.execute(
            "select tableoid::regclass::text, record_key, payload ->> 'k' from raw.dossier_records order by 2, 3"
        ).fetchall() == [
            ("raw.dossier_records_2025_05", "D1", "D1 2025-05-31"),
            ("raw.dossier_records_2025_06", "D1", "D1 2025-06-01"),
            ("raw.dossier_records_2025_07", "D2", "D2 2025-07-14"),
        ]
        owners = conn.execute(
            "select distinct pg_get_userbyid(relowner) from pg_class where relnamespace = 'raw'::regnamespace"
            " and relname like any (array['dossier\\_records%%', 'feedback\\_records%%']) and relkind in ('r', 'p')"
        ).fetchall()
        assert owners == [("onestop_loader",)]
        indexes = {
            name for (name,) in conn.execute("select indexname from pg_indexes where tablename = 'dossier_records'")
        }
        assert {"dossier_records_key", "dossier_records_batch", "dossier_records_retracted"} <= indexes
    # The next night adds its month; the transformer reads through the parent; a second move does nothing.
    with psycopg.connect(loader, autocommit=True) as conn:
        conn.execute("select raw.ensure_month('2025-08-01')")
    transformer = role_url("onestop_transformer", bootstrap.role_passwords()["onestop_transformer"], url)
    with psycopg.connect(transformer) as conn:
        assert conn.execute("select count(*) from raw.dossier_records_2025_08").fetchone() == (0,)
        assert conn.execute("select count(*) from raw.feedback_records").fetchone() == (1,)
    again = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "raw", "partition"], capture_output=True, text=True, env=env, timeout=120
    )
    assert again.stdout.strip() == "raw is already partitioned by month: nothing to do"
    assert not any(line.startswith("NOTE: raw") for line in bootstrap.init(url))
