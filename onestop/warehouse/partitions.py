"""`raw` partitioned by month: the one-off move of an older warehouse's plain tables (`onestop raw partition`).

A night writes one month (`raw.ensure_month`, sql/04_raw.sql) and retention rewrites or drops whole months
(onestop.extract.retention). A warehouse bootstrapped before the partitioning has plain tables; this moves their
rows, in one transaction, into partitioned tables of the same name, columns and indexes, owned by the loader.
"""

from __future__ import annotations

from datetime import date

import psycopg

from onestop.settings import PROJECT_ROOT

RAW_SQL = PROJECT_ROOT / "sql" / "04_raw.sql"
PARENTS = ("dossier_records", "feedback_records")


def is_partitioned(conn: psycopg.Connection, parent: str = "dossier_records") -> bool:
    kind = conn.execute("select relkind from pg_class where oid = to_regclass(%s)", (f"raw.{parent}",)).fetchone()
    return kind is not None and kind[0] == "p"


def months(conn: psycopg.Connection, parent: str) -> list[str]:
    """The month partitions of a table, oldest first (their names: <parent>_YYYY_MM, as raw.ensure_month names
    them)."""
    return [
        name
        for (name,) in conn.execute(
            "select c.relname from pg_inherits as i join pg_class as c on c.oid = i.inhrelid"
            " where i.inhparent = to_regclass(%s) order by c.relname",
            (f"raw.{parent}",),
        )
    ]


class PartitionRefused(RuntimeError):
    """The move would drop what is not onestop's: the operator decides."""


def reading_views(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Every view that reads the tables, directly or through other views (schema-qualified names)."""
    return [
        name
        for (name,) in conn.execute(
            """
            with recursive readers as (
                select distinct rule.ev_class as view_oid
                from pg_depend as dep
                inner join pg_rewrite as rule on rule.oid = dep.objid
                where dep.refobjid = any(%s::regclass[]) and rule.ev_class <> dep.refobjid
                union
                select rule.ev_class
                from pg_depend as dep
                inner join pg_rewrite as rule on rule.oid = dep.objid
                inner join readers on dep.refobjid = readers.view_oid
                where rule.ev_class <> dep.refobjid
            )
            select format('%%I.%%I', ns.nspname, cls.relname)
            from readers
            inner join pg_class as cls on cls.oid = readers.view_oid
            inner join pg_namespace as ns on ns.oid = cls.relnamespace
            order by 1
            """,
            (tables,),
        )
    ]


def partition_raw(admin_url: str) -> list[str]:
    """Move plain `raw` tables into partitioned ones (the owner's login: it creates and drops tables). Idempotent:
    a partitioned warehouse is left as it is. Returns what was done, for the CLI to print."""
    done = []
    with psycopg.connect(admin_url) as conn:
        plain = [parent for parent in PARENTS if not is_partitioned(conn, parent)]
        if not plain:
            return ["raw is already partitioned by month: nothing to do"]
        views = reading_views(conn, [f"raw.{parent}" for parent in plain])
        foreign = [view for view in views if not view.startswith("staging.")]
        if foreign:
            raise PartitionRefused(
                f"views outside dbt's staging read raw's tables: {', '.join(foreign)}; they are not onestop's, so"
                " they are not dropped here: drop them, run `onestop raw partition` again, then create them again"
            )
        if views:
            # dbt's staging views: bound to the plain tables, and recreated by dbt's next build (every night's).
            conn.execute(f"drop view {', '.join(views)} cascade")
            done.append(f"dropped {len(views)} staging views that read raw (dbt's next build creates them again)")
        for parent in plain:
            conn.execute(f"alter table raw.{parent} rename to {parent}_unpartitioned")
            for (index,) in conn.execute(
                "select indexname from pg_indexes where schemaname = 'raw' and tablename = %s",
                (f"{parent}_unpartitioned",),
            ).fetchall():
                conn.execute(f"drop index raw.{index}")  # the partitioned table's indexes take these names
        conn.execute(RAW_SQL.read_text())
        for parent in plain:
            old = f"raw.{parent}_unpartitioned"
            conn.execute("set local role onestop_loader")  # the months belong to the loader, as a night's do
            for (month,) in conn.execute(
                f"select distinct date_trunc('month', interval_start) from {old} order by 1"
            ).fetchall():
                conn.execute("select raw.ensure_month(%s)", (month,))
            moved = conn.execute(f"insert into raw.{parent} select * from {old}").rowcount
            conn.execute("reset role")
            conn.execute(f"drop table {old}")
            done.append(f"raw.{parent}: {moved} rows moved into {len(months(conn, parent))} month partitions")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for parent in plain:
            conn.execute(f"analyze raw.{parent}")
    return done


def month_of(partition: str) -> date:
    """The first day of the month a partition holds, from its name (<parent>_YYYY_MM)."""
    year, month = partition.rsplit("_", 2)[-2:]
    return date(int(year), int(month), 1)
