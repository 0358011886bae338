"""`onegate_db`: a vendor's PostgreSQL database, read with SQL through a read-only transaction.

Dossiers changed in the window are read with a server-side cursor and assembled with their results, actions
and supplement requests, a batch of dossiers at a time, so memory stays bounded however large the system.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

import sqlalchemy as sa

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


def _plain(value):
    return value.isoformat(sep=" ") if isinstance(value, datetime | date) else value


def _url(conn) -> str:
    return sa.URL.create(
        "postgresql+psycopg",
        username=conn.login,
        password=conn.password,
        host=conn.host,
        port=conn.port,
        database=conn.schema,
    ).render_as_string(hide_password=False)


class OnegateDbSource:
    def __init__(self, entry, window_start: datetime, window_end: datetime):
        from airflow.sdk import Connection

        conn = Connection.get(entry.conn_id)
        self.system_id = entry.id
        self.where = f"{conn.host}:{conn.port}/{conn.schema}"
        self.url = _url(conn)
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
        engine = sa.create_engine(
            self.url, connect_args={"connect_timeout": self.timeout, "options": options}, poolclass=sa.NullPool
        )
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("set transaction read only")
                if self.vendor_schema:
                    quoted = conn.dialect.identifier_preparer.quote(self.vendor_schema)
                    conn.exec_driver_sql(f"set search_path to {quoted}")
                    if conn.exec_driver_sql("select current_schema()").scalar() is None:
                        raise SourceError(
                            f"system {self.system_id} ({self.where}): schema {self.vendor_schema!r} (the connection's"
                            " vendor_schema) does not exist or the login may not use it"
                        )
                self._check_schema(conn)
                yield from self._dossiers(conn)
                yield from self._feedback(conn)
        except sa.exc.OperationalError as error:
            raise SourceError(f"system {self.system_id} ({self.where}): {self._explain(error.orig)}") from error
        finally:
            engine.dispose()

    def _explain(self, error) -> str:
        import psycopg

        text = str(error).strip()
        if isinstance(error, psycopg.errors.LockNotAvailable):
            return f"a vendor table stayed locked longer than lock_timeout={self.lock_timeout:g} s ({text})"
        if isinstance(error, psycopg.errors.QueryCanceled):
            return f"a query ran longer than statement_timeout={self.statement_timeout:g} s ({text})"
        return text

    def _check_schema(self, conn) -> None:
        rows = conn.execute(
            sa.text(
                "select table_name, column_name from information_schema.columns where table_schema = current_schema()"
            )
        ).all()
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

    def _stream(self, conn, statement: str, params: dict):
        return conn.execution_options(stream_results=True, yield_per=BATCH).execute(sa.text(statement), params)

    def _dossiers(self, conn) -> Iterator[Record]:
        columns = ", ".join(TABLE_COLUMNS["dossier"])
        result = self._stream(
            conn,
            f"select {columns} from dossier where updated_at >= :start and updated_at < :end order by updated_at, id",
            {"start": self.window[0], "end": self.window[1]},
        )
        for batch in result.mappings().partitions(BATCH):
            children = self._children(conn, [row["id"] for row in batch])
            for row in batch:
                payload = {k: _plain(v) for k, v in row.items()}
                for name in CHILDREN:
                    payload[name] = children[name].get(row["id"], [])
                raw = json.dumps(payload, ensure_ascii=False)
                self.bytes_read += len(raw)
                yield Record("dossiers", f"dossier id={row['id']}", raw, payload)

    def _children(self, conn, ids: list[int]) -> dict[str, dict[int, list[dict]]]:
        found: dict[str, dict[int, list[dict]]] = {}
        for name, (table, key, columns, order) in CHILDREN.items():
            rows = conn.execute(
                sa.text(f"select {key}, {columns} from {table} where {key} = any(:ids) order by {key}, {order}"),
                {"ids": ids},
            ).mappings()
            grouped = defaultdict(list)
            for row in rows:
                grouped[row[key]].append({k: _plain(v) for k, v in row.items() if k != key})
            found[name] = grouped
        return found

    def _feedback(self, conn) -> Iterator[Record]:
        columns = ", ".join(TABLE_COLUMNS["feedback"])
        result = self._stream(
            conn,
            f"select {columns} from feedback where updated_at >= :start and updated_at < :end order by updated_at, id",
            {"start": self.window[0], "end": self.window[1]},
        )
        for row in result.mappings():
            payload = {k: _plain(v) for k, v in row.items()}
            raw = json.dumps(payload, ensure_ascii=False)
            self.bytes_read += len(raw)
            yield Record("feedback", f"feedback id={row['id']}", raw, payload)


assert set(CONTRACTS[("onegate_db", "dossiers")].required) <= set(TABLE_COLUMNS["dossier"])
