"""A suite's batch read once and given to GX as literal rows (onestop/quality/batches.py): the same rows, names and
types as its query; a batch too large for that keeps its query."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import psycopg

from onestop.quality.batches import frozen

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
