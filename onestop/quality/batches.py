"""A query GX will run, read once and given to GX as its rows.

GX evaluates an expectation by metrics, each a query wrapped around the batch's: a night's gate ran the
reconciliation batch (which counts every dossier in `raw`) some fifty times, and its cost grew with the history
(issue #21); it runs the identifier scan twice, its count and then its rows. A result of up to a thousand rows (a
batch has one row per system; the scan, none unless it finds something) is read here once, on the gate's own
login, and GX receives those rows as a `values` list with each column's type: the same rows, the same names,
evaluated in microseconds. A larger one (the warehouse suite's batch, on an initial load every dossier) keeps its
query.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

MAX_ROWS = 1000


def read_in_parallel(conn: psycopg.Connection) -> None:
    """Let the batches' queries run on every core. At most a thousand rows come back, but PostgreSQL prices a plan by
    the rows it guesses (a regex keeps one row in eight, it assumes), and the cost of handing them to the leader
    priced the identifier scan's parallel plan out: on the year's initial load it ran on one core, 17 s, against
    10 s on two."""
    conn.execute("set parallel_tuple_cost = 0.001")


def frozen(conn: psycopg.Connection, query: str, max_rows: int = MAX_ROWS) -> str:
    """The batch's rows as a query of literals, or the query itself when it has more than `max_rows` rows."""
    cursor = conn.execute(f"select * from ({query}) as batch limit {max_rows + 1}")
    rows = cursor.fetchall()
    if len(rows) > max_rows:
        return query
    names = [column.name for column in cursor.description]
    types = dict(
        conn.execute(
            "select oid, format_type(oid, null) from pg_type where oid = any(%s)",
            ([column.type_code for column in cursor.description],),
        ).fetchall()
    )
    casts = [types[column.type_code] for column in cursor.description]
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in names)
    if not rows:
        empty = sql.SQL(", ").join(
            sql.SQL("null::{} as {}").format(sql.SQL(cast), sql.Identifier(name))
            for name, cast in zip(names, casts, strict=True)
        )
        return sql.SQL("select {} where false").format(empty).as_string(conn)
    values = sql.SQL(", ").join(
        sql.SQL("({})").format(
            sql.SQL(", ").join(
                sql.SQL("{}::{}").format(sql.Literal(value), sql.SQL(cast))
                for value, cast in zip(row, casts, strict=True)
            )
        )
        for row in rows
    )
    return sql.SQL("select * from (values {}) as batch ({})").format(values, columns).as_string(conn)
