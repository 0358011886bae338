"""A suite's batch read once and given to GX as literal rows (onestop/quality/batches.py): the same rows, names and
types as its query; a batch too large for that keeps its query. The identifier scan (onestop/quality/suites.py)
finds a citizen ID, a phone number or an e-mail address in any column but a record key, in the latest build's
rows, also in a table wider than a function's hundred arguments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import psycopg

from onestop.quality.batches import frozen
from onestop.quality.gate import marts_tables
from onestop.quality.suites import identifier_scan

QUERY = """
select * from (values
    ('tuyhoa', 3::bigint, null::integer, timestamp '2025-07-01 00:00', array['a', 'b'], 0.5::numeric, true, 'it''s'),
    ('sonhoa', 0::bigint, 7, null, null, null, null, e'line\\nbreak')
) as t (system_id, dossiers, control_total, night, reasons, share, complete, note)
"""


def test_a_frozen_batch_holds_the_querys_rows_names_and_types(owner: psycopg.Connection) -> None:
    literal = frozen(owner, QUERY)
    assert literal.startswith("select * from (values") and "tuyhoa" in literal
    for query in (QUERY, literal):
        assert owner.execute(f"select * from ({query}) as b order by 1").fetchall() == [
            ("sonhoa", 0, 7, None, None, None, None, "line\nbreak"),
            ("tuyhoa", 3, None, datetime(2025, 7, 1), ["a", "b"], Decimal("0.5"), True, "it's"),
        ]
    types = "select pg_typeof(control_total)::text, pg_typeof(night)::text, pg_typeof(reasons)::text from ({}) as b"
    assert owner.execute(types.format(literal)).fetchone() == owner.execute(types.format(QUERY)).fetchone()


def test_an_empty_batch_keeps_its_columns_and_a_large_one_its_query(owner: psycopg.Connection) -> None:
    empty = frozen(owner, f"{QUERY} where false")
    cursor = owner.execute(f"select * from ({empty}) as b")
    assert cursor.fetchall() == [] and [c.name for c in cursor.description][:3] == [
        "system_id",
        "dossiers",
        "control_total",
    ]
    large = "select n from generate_series(1, 1001) as n"
    assert frozen(owner, large) == large


def test_the_identifier_scan_finds_what_it_must_and_nothing_else(owner: psycopg.Connection) -> None:
    schema = "scan_probe"  # its own schema: the privacy test reads every table of marts
    owner.execute(f"drop schema if exists {schema} cascade")
    owner.execute(f"create schema {schema}")
    try:
        owner.execute(
            f"create table {schema}.fct_probe (dossier_code text, note text, share numeric, at timestamp,"
            " refreshed_at timestamp)"
        )
        tonight, before = "timestamp '2025-07-02 01:00'", "timestamp '2025-07-01 01:00'"
        owner.execute(
            f"insert into {schema}.fct_probe values"
            # A 12-digit record key, a rate's long decimals, a timestamp: none of them an identifier.
            f" ('079123456789', 'Đã xử lý', 0.833333333333333333, '2025-06-01 08:00', {tonight}),"
            f" ('A-1', 'gọi 0912345678 khi xong', null, null, {tonight}),"
            f" ('A-2', 'gửi về nguyen.van.a@example.vn', null, null, {tonight}),"
            f" ('A-3', 'CCCD 079123456789', null, null, {tonight}),"
            # An earlier build's row was scanned the night it was written.
            f" ('A-4', 'gửi về tran.b@example.vn', null, null, {before})"
        )
        wide = [f"c{k}" for k in range(120)]  # more columns than concat_ws takes arguments
        owner.execute(f"create table {schema}.dim_wide ({', '.join(f'{c} text' for c in wide)})")
        owner.execute(f"insert into {schema}.dim_wide (c0) values ('không')")
        owner.execute(f"insert into {schema}.dim_wide (c0, c110) values ('có', '0987654321')")
        owner.execute(f"create table {schema}.keys_only (dossier_code text)")  # nothing to scan
        owner.execute(f"insert into {schema}.keys_only values ('0912345678')")
        # The catalog as the gate reads it: every table with its columns in order, and their types.
        tables = marts_tables(owner, schema)
        assert tables == {
            "dim_wide": dict.fromkeys(wide, "text"),
            "fct_probe": {
                "dossier_code": "text",
                "note": "text",
                "share": "numeric",
                "at": "timestamp without time zone",
                "refreshed_at": "timestamp without time zone",
            },
            "keys_only": {"dossier_code": "text"},
        }
        scan = identifier_scan(tables, schema)
        assert 'r."share"' in scan and 'r."at"' not in scan  # a number may hold an identifier, a moment cannot
        found = owner.execute(f"select * from ({scan}) as scan order by 1, 2").fetchall()
        assert [
            (table, row.split('"note": ')[-1][:14] if table == "fct_probe" else '"c0": "có"' in row)
            for table, row in found
        ] == [
            ("dim_wide", True),
            ("fct_probe", '"CCCD 07912345'),
            ("fct_probe", '"gọi 091234567'),
            ("fct_probe", '"gửi về nguyen'),
        ]
        assert all('"dossier_code"' not in row for _, row in found)
    finally:
        owner.execute(f"drop schema {schema} cascade")
