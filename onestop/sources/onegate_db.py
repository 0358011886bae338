"""`onegate_db`: a vendor's PostgreSQL database, read with SQL through a read-only transaction.

Dossiers changed in the window are read with a server-side cursor and assembled with their results, actions
and supplement requests, a batch of dossiers at a time, so memory stays bounded however large the system.
psycopg's own rows (tuples) are read, not SQLAlchemy's: on a large system that per-row layer was most of the read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

import psycopg
from psycopg import sql

from onestop.sources.base import Record, SchemaError, SourceError
from onestop.sources.contract import CONTRACTS

BATCH = 2000
DEFAULT_STATEMENT_TIMEOUT = 600  # seconds, per statement (the connection's extra `statement_timeout`)
DEFAULT_LOCK_TIMEOUT = 30  # seconds waiting for a lock (extra `lock_timeout`)
CHILDREN = {
    "results": ("dossier_result", "dossier_id", "doc_name, doc_code, doc_url", "doc_name"),
    "actions": (
        "dossier_action",
        "dossier_id",
        "id, acted_at, actor, actor_title, department, action, status",
        "acted_at, id",
    ),
    "supplements": (
        "supplement_request",
        "dossier_id",
        "id, requested_at, returned_at, old_due_at, new_due_at",
        "requested_at, id",
    ),
}
TABLE_COLUMNS = {
    "dossier": (
        "id",
        "dossier_no",
        "procedure_code",
        "procedure_name",
        "field_code",
        "unit_code",
        "channel",
        "online_level",
        "applicant_name",
        "applicant_id_no",
        "applicant_phone",
        "applicant_type",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "status",
        "inputs_digitized",
        "paid_online",
        "updated_at",
    ),
    "dossier_result": ("dossier_id", "doc_name", "doc_code", "doc_url"),
    "dossier_action": ("id", "dossier_id", "acted_at", "actor", "actor_title", "department", "action", "status"),
    "supplement_request": ("id", "dossier_id", "requested_at", "returned_at", "old_due_at", "new_due_at"),
    "feedback": (
        "id",
        "unit_code",
        "category",
        "title",
        "body",
        "reporter_name",
        "reporter_phone",
        "sent_at",
        "received_at",
        "answered_at",
        "published_at",
        "status",
        "updated_at",
    ),
}


# What the payload holds of a timestamp or a date: its ISO text, as the landing and the contract read it.
ISO_TEXT = {
    psycopg.postgres.types["timestamp"].oid: lambda value: value.isoformat(sep=" "),
    psycopg.postgres.types["timestamptz"].oid: lambda value: value.isoformat(sep=" "),
    psycopg.postgres.types["date"].oid: lambda value: value.isoformat(),
}


def _plain_rows(cursor: psycopg.Cursor, rows: list[tuple]) -> list[dict]:
    """Rows as dicts of the column names, their timestamps and dates as ISO text. Converted by column, from the
    cursor's description, not by testing every value: this loop is most of a large system's read."""
    names = [column.name for column in cursor.description]
    to_text = [
        (i, ISO_TEXT[column.type_code]) for i, column in enumerate(cursor.description) if column.type_code in ISO_TEXT
    ]
    plain = []
    for row in rows:
        if to_text:
            row = list(row)
            for i, convert in to_text:
                if row[i] is not None:
                    row[i] = convert(row[i])
        plain.append(dict(zip(names, row, strict=True)))
    return plain


class OnegateDbSource:
    def __init__(self, entry, window_start: datetime, window_end: datetime):
        from airflow.sdk import Connection

        conn = Connection.get(entry.conn_id)
        self.system_id = entry.id
        self.where = f"{conn.host}:{conn.port}/{conn.schema}"
        self.login = {
            "host": conn.host,
            "port": conn.port,
            "user": conn.login,
            "password": conn.password,
            "dbname": conn.schema,
        }
        extra = conn.extra_dejson
        self.timeout = int(extra.get("timeout", 30))
        # Bounded reads: a vendor table locked for hours, or a query that never ends, fails the system's night
        # (named) instead of holding the extraction for the task's whole limit.
        self.statement_timeout = float(extra.get("statement_timeout", DEFAULT_STATEMENT_TIMEOUT))
        self.lock_timeout = float(extra.get("lock_timeout", DEFAULT_LOCK_TIMEOUT))
        # Vendors that keep their tables outside the login's default schema: the connection's extra names it.
        self.vendor_schema = extra.get("vendor_schema")
        self.window = (window_start, window_end)
        self.control_totals: dict[str, int] = {}
        self.bytes_read = 0

    def describe(self) -> str:
        return f"{self.system_id} ({self.where})"

    def records(self) -> Iterator[Record]:
        options = (
            f"-c statement_timeout={int(self.statement_timeout * 1000)} -c lock_timeout={int(self.lock_timeout * 1000)}"
        )
        try:
            with psycopg.connect(**self.login, connect_timeout=self.timeout, options=options) as conn:
                conn.read_only = True
                if self.vendor_schema:
                    conn.execute(sql.SQL("set search_path to {}").format(sql.Identifier(self.vendor_schema)))
                    if conn.execute("select current_schema()").fetchone()[0] is None:
                        raise SourceError(
                            f"system {self.system_id} ({self.where}): schema {self.vendor_schema!r} (the connection's"
                            " vendor_schema) does not exist or the login may not use it"
                        )
                self._check_schema(conn)
                yield from self._dossiers(conn)
                yield from self._feedback(conn)
        except psycopg.OperationalError as error:
            raise SourceError(f"system {self.system_id} ({self.where}): {self._explain(error)}") from error

    def _explain(self, error: psycopg.OperationalError) -> str:
        text = str(error).strip()
        if isinstance(error, psycopg.errors.LockNotAvailable):
            return f"a vendor table stayed locked longer than lock_timeout={self.lock_timeout:g} s ({text})"
        if isinstance(error, psycopg.errors.QueryCanceled):
            return f"a query ran longer than statement_timeout={self.statement_timeout:g} s ({text})"
        return text

    def _check_schema(self, conn: psycopg.Connection) -> None:
        rows = conn.execute(
            "select table_name, column_name from information_schema.columns where table_schema = current_schema()"
        ).fetchall()
        present = defaultdict(set)
        for table, column in rows:
            present[table].add(column)
        for table, columns in TABLE_COLUMNS.items():
            missing = [c for c in columns if c not in present[table]]
            if missing:
                raise SchemaError(
                    f"system {self.system_id}: table {table} has no column(s) {', '.join(missing)} "
                    "(a renamed or dropped column)"
                )

    def _changed(self, conn: psycopg.Connection, table: str) -> Iterator[list[dict]]:
        """The table's rows changed in the window, in change order, a batch at a time from a server-side cursor."""
        with conn.cursor(name=f"onestop_{table}") as cursor:
            cursor.execute(
                f"select {', '.join(TABLE_COLUMNS[table])} from {table}"
                " where updated_at >= %s and updated_at < %s order by updated_at, id",
                self.window,
            )
            while batch := cursor.fetchmany(BATCH):
                yield _plain_rows(cursor, batch)

    def _dossiers(self, conn: psycopg.Connection) -> Iterator[Record]:
        for rows in self._changed(conn, "dossier"):
            children = self._children(conn, [row["id"] for row in rows])
            for row in rows:
                for name in CHILDREN:
                    row[name] = children[name].get(row["id"], [])
                raw = json.dumps(row, ensure_ascii=False)
                self.bytes_read += len(raw)
                yield Record("dossiers", f"dossier id={row['id']}", raw, row)

    def _children(self, conn: psycopg.Connection, ids: list[int]) -> dict[str, dict[int, list[dict]]]:
        found: dict[str, dict[int, list[dict]]] = {}
        for name, (table, key, columns, order) in CHILDREN.items():
            cursor = conn.execute(
                f"select {key}, {columns} from {table} where {key} = any(%s) order by {key}, {order}", (ids,)
            )
            grouped = defaultdict(list)
            for row in _plain_rows(cursor, cursor.fetchall()):
                grouped[row.pop(key)].append(row)
            found[name] = grouped
        return found

    def _feedback(self, conn: psycopg.Connection) -> Iterator[Record]:
        for rows in self._changed(conn, "feedback"):
            for row in rows:
                raw = json.dumps(row, ensure_ascii=False)
                self.bytes_read += len(raw)
                yield Record("feedback", f"feedback id={row['id']}", raw, row)


assert set(CONTRACTS[("onegate_db", "dossiers")].required) <= set(TABLE_COLUMNS["dossier"])
