"""Where each simulated system keeps its data, and how a night's changes are written there.

- `dvcqg_api`: a backend table `hoso`/`pakn` (code, last change, JSON payload) per system in the simulator's
  database; the HTTP server pages through it.
- `onegate_db`: the vendor's own PostgreSQL database per system, the contract's tables, a read-only login.
- `csv_drop`: a folder of nightly files, `hoso_YYYYMMDD.csv` and `phananh_YYYYMMDD.csv`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path

import psycopg
from psycopg import sql

from simulator import formats
from simulator.model import Dossier, Feedback

ONEGATE_SCHEMA = """
create table if not exists dossier(id bigint primary key, dossier_no text, procedure_code text,
  procedure_name text, field_code text, unit_code text, channel smallint, online_level smallint,
  applicant_name text, applicant_id_no text, applicant_phone text, applicant_type smallint,
  received_at timestamp, due_at timestamp, finished_at timestamp, returned_at timestamp, status text,
  inputs_digitized boolean, paid_online smallint, updated_at timestamp);
create index if not exists dossier_updated on dossier(updated_at);
create table if not exists dossier_result(dossier_id bigint, doc_name text, doc_code text, doc_url text);
create index if not exists dossier_result_dossier on dossier_result(dossier_id);
create table if not exists dossier_action(id bigint primary key, dossier_id bigint, acted_at timestamp,
  actor text, actor_title text, department text, action text, status text);
create index if not exists dossier_action_dossier on dossier_action(dossier_id);
create table if not exists supplement_request(id bigint primary key, dossier_id bigint, requested_at timestamp,
  returned_at timestamp, old_due_at timestamp, new_due_at timestamp);
create index if not exists supplement_request_dossier on supplement_request(dossier_id);
create table if not exists feedback(id bigint primary key, unit_code text, category smallint, title text,
  body text, reporter_name text, reporter_phone text, sent_at timestamp, received_at timestamp,
  answered_at timestamp, published_at timestamp, status text, updated_at timestamp);
create index if not exists feedback_updated on feedback(updated_at);
"""
ONEGATE_TABLES = ("dossier", "dossier_result", "dossier_action", "supplement_request", "feedback")
CHILD_TABLES = {"dossier_result": "dossier_id", "dossier_action": "dossier_id", "supplement_request": "dossier_id"}

DVCQG_SCHEMA = """
create table if not exists {schema}.hoso(code text primary key, updated_at timestamp not null, payload text not null);
create index if not exists {schema}_hoso_updated on {schema}.hoso(updated_at, code);
create table if not exists {schema}.pakn(code text primary key, updated_at timestamp not null, payload text not null);
create index if not exists {schema}_pakn_updated on {schema}.pakn(updated_at, code);
"""


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


class DvcqgBackend:
    def __init__(self, url: str, system_id: str):
        self.url, self.schema = url, system_id

    def reset(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(self.schema)))
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(self.schema)))
            conn.execute(DVCQG_SCHEMA.format(schema=self.schema))

    def write(self, dossiers: list[formats.DossierState], feedback: list[tuple[Feedback, object]]) -> None:
        rows = [(s.d.code, s.updated, json.dumps(formats.dvcqg_hoso(s), ensure_ascii=False)) for s in dossiers]
        items = [(f.code, st.at, json.dumps(formats.dvcqg_pakn(f, st), ensure_ascii=False)) for f, st in feedback]
        with psycopg.connect(self.url) as conn:
            for table, data in (("hoso", rows), ("pakn", items)):
                _upsert(conn, self.schema, table, data, ("code", "updated_at", "payload"), "code")


class OnegateBackend:
    def __init__(self, url: str, system_id: str):
        self.url, self.system_id = url, system_id

    def reset(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("drop table if exists " + ", ".join(ONEGATE_TABLES))
            conn.execute(ONEGATE_SCHEMA)

    def write(
        self, dossiers: list[formats.DossierState], feedback: list[tuple[Feedback, object]], corrupt=None
    ) -> None:
        parents, children = [], defaultdict(list)
        for state in dossiers:
            dossier, results, actions, supplements = formats.onegate_rows(state)
            if corrupt:
                dossier = corrupt(state, dossier)
            parents.append(dossier)
            children["dossier_result"].extend(results)
            children["dossier_action"].extend(actions)
            children["supplement_request"].extend(supplements)
        items = [formats.onegate_feedback_row(f, st) for f, st in feedback]
        with psycopg.connect(self.url) as conn:
            columns = _columns(conn, "dossier")
            ids = [row[0] for row in parents]
            for table, key in CHILD_TABLES.items():
                conn.execute(
                    sql.SQL("delete from {} where {} = any(%s)").format(sql.Identifier(table), sql.Identifier(key)),
                    (ids,),
                )
                _copy(conn, table, _columns(conn, table), children[table])
            _upsert(conn, None, "dossier", parents, columns, columns[0])
            _upsert(conn, None, "feedback", items, _columns(conn, "feedback"), "id")


def _columns(conn: psycopg.Connection, table: str) -> tuple[str, ...]:
    rows = conn.execute(
        "select column_name from information_schema.columns where table_schema = current_schema()"
        " and table_name = %s order by ordinal_position",
        (table,),
    ).fetchall()
    return tuple(r[0] for r in rows)


def _copy(conn: psycopg.Connection, table: str | sql.Composable, columns, rows) -> None:
    target = sql.Identifier(table) if isinstance(table, str) else table
    statement = sql.SQL("copy {} ({}) from stdin").format(target, sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _upsert(conn, schema: str | None, table: str, rows, columns, key: str) -> None:
    if not rows:
        return
    target = sql.Identifier(schema, table) if schema else sql.Identifier(table)
    conn.execute(sql.SQL("create temp table incoming (like {}) on commit drop").format(target))
    _copy(conn, "incoming", columns, rows)
    updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in columns if c != key)
    conn.execute(
        sql.SQL(
            "insert into {} select distinct on ({}) * from incoming order by {} on conflict ({}) do update set {}"
        ).format(target, sql.Identifier(key), sql.Identifier(key), sql.Identifier(key), updates)
    )
    conn.execute("drop table incoming")


class CsvFolder:
    """Writes each day's files with a byte-order mark and CRLF, as Excel exports them."""

    def __init__(self, folder: Path):
        self.folder = folder

    def reset(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.csv"):
            old.unlink()

    def write_day(
        self, day: date, hoso: list[list[str]], phananh: list[list[str]], header_renames: dict[str, str] | None = None
    ) -> None:
        for prefix, columns, rows in (
            ("hoso", formats.CSV_HOSO_COLUMNS, hoso),
            ("phananh", formats.CSV_PHANANH_COLUMNS, phananh),
        ):
            header = [header_renames.get(c, c) if header_renames else c for c in columns]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
            path = self.folder / f"{prefix}_{day:%Y%m%d}.csv"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
            tmp.replace(path)  # a reader never sees half a file


def dossier_days(d: Dossier, first: date, last: date) -> list[date]:
    """Days in [first, last] on which the dossier changed: the days whose file lists it."""
    return sorted({s.at.date() for s in d.steps if first <= s.at.date() <= last})


def feedback_days(f: Feedback, first: date, last: date) -> list[date]:
    return sorted({s.at.date() for s in f.states if first <= s.at.date() <= last})
