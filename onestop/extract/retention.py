"""How long `raw` keeps what systems sent, and the purge that enforces it (raw payloads hold personal data).

- A version superseded by a newer one of the same record is kept `superseded_days` (default 400: the report's
  twelve months and a margin), then deleted. The latest version of every record stays, so staging can always be
  rebuilt from `raw` alone.
- A record whose latest version is older than `record_days` (default 1,830: five years) is deleted entirely.
- Quarantined rows are kept `superseded_days` too.
`raw` is partitioned by month (the night that landed a row): a month wholly past `superseded_days` is rewritten
with the rows it keeps, or dropped when it keeps none, so retention leaves no dead rows behind.
Run by `onestop raw purge` (schedule it monthly; `--dry-run` counts what it would delete and deletes nothing);
it logs in as the loader role, which owns the landing.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg

from onestop.extract.landing import RAW_TABLES, RETRACTED, taken_back
from onestop.night import next_month
from onestop.warehouse import partitions


def purge(
    url: str, today: date, superseded_days: int = 400, record_days: int = 1830, dry_run: bool = False
) -> dict[str, int]:
    """Remove what is past retention; return how many rows of each kind. A month of `raw` wholly past the
    superseded limit is rewritten with the rows it keeps (truncated, or dropped when it keeps none: no dead rows
    left for vacuum); superseded versions in a month only partly past wait for that month to be. Expired records
    are deleted wherever they are. A dry run does the same in a transaction it rolls back: the counts are exact
    and nothing changes."""
    superseded_before = today - timedelta(days=superseded_days)
    records_before = today - timedelta(days=record_days)
    removed = {}
    with psycopg.connect(url) as conn:
        for entity, table in RAW_TABLES.items():
            parent = table.split(".", 1)[1]
            removed[f"{entity}: superseded versions"] = removed[f"{entity}: expired records"] = 0
            for partition in partitions.months(conn, parent):
                if next_month(partitions.month_of(partition)) > superseded_before:
                    break
                superseded, expired = _rewrite_month(conn, table, f"raw.{partition}", records_before)
                removed[f"{entity}: superseded versions"] += superseded
                removed[f"{entity}: expired records"] += expired
            removed[f"{entity}: expired records"] += conn.execute(
                f"delete from {table} as r where {_expired(table, 'r')}", {"before": records_before}
            ).rowcount
        removed["quarantine"] = conn.execute(
            "delete from audit.quarantine where interval_start < %s", (superseded_before,)
        ).rowcount
        if dry_run:
            conn.rollback()
    return removed


def _superseded(table: str, old: str) -> str:
    """SQL: the version aliased `old` is superseded by a newer version that stands: a retraction, or a version it
    took back, supersedes nothing (the version before it is the one that stands again)."""
    return f"""exists (
        select 1 from {table} as newer where newer.system_id = {old}.system_id
        and newer.record_key = {old}.record_key
        and (newer.changed_at, newer.extracted_at) > ({old}.changed_at, {old}.extracted_at)
        and newer.checksum <> '{RETRACTED}' and not {taken_back(table, "newer")})"""


def _expired(table: str, version: str) -> str:
    """SQL: the record of the version aliased `version` has not changed since %(before)s."""
    return f"""({version}.system_id, {version}.record_key) in (
        select system_id, record_key from {table} group by system_id, record_key having max(changed_at) < %(before)s)"""


def _rewrite_month(conn: psycopg.Connection, table: str, partition: str, records_before: date) -> tuple[int, int]:
    """Keep a month's rows that stand and are not expired, drop the rest with the month's storage; return
    (superseded versions, versions of expired records) removed."""
    total = conn.execute(f"select count(*) from {partition}").fetchone()[0]
    superseded = conn.execute(f"select count(*) from {partition} as old where {_superseded(table, 'old')}").fetchone()[
        0
    ]
    conn.execute(
        f"create temp table kept on commit drop as select * from {partition} as old"
        f" where not {_superseded(table, 'old')} and not {_expired(table, 'old')}",
        {"before": records_before},
    )
    kept = conn.execute("select count(*) from kept").fetchone()[0]
    if kept < total:
        if kept:
            conn.execute(f"truncate {partition}")
            conn.execute(f"insert into {partition} select * from kept")
        else:
            conn.execute(f"drop table {partition}")
    conn.execute("drop table kept")
    return superseded, total - kept - superseded
