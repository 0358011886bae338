"""How long `raw` keeps what systems sent, and the purge that enforces it (raw payloads hold personal data).

- A version superseded by a newer one of the same record is kept `superseded_days` (default 400: the report's
  twelve months and a margin), then deleted. The latest version of every record stays, so staging can always be
  rebuilt from `raw` alone.
- A record whose latest version is older than `record_days` (default 1,830: five years) is deleted entirely.
- Quarantined rows are kept `superseded_days` too.
Run by `onestop raw purge` (schedule it monthly; `--dry-run` counts what it would delete and deletes nothing);
it logs in as the loader role, which owns the landing.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg

from onestop.extract.landing import RAW_TABLES, RETRACTED, taken_back


def purge(
    url: str, today: date, superseded_days: int = 400, record_days: int = 1830, dry_run: bool = False
) -> dict[str, int]:
    """Delete what is past retention; return how many rows of each kind. A dry run does the same deletes in a
    transaction it rolls back: the counts are exact and nothing changes."""
    superseded_before = today - timedelta(days=superseded_days)
    records_before = today - timedelta(days=record_days)
    removed = {}
    with psycopg.connect(url) as conn:
        for entity, table in RAW_TABLES.items():
            removed[f"{entity}: superseded versions"] = conn.execute(
                # Superseded by a newer version that stands: a retraction, or a version it took back, supersedes
                # nothing (the version before it is the one that stands again).
                f"""delete from {table} old where old.interval_start < %s and exists (
                        select 1 from {table} newer where newer.system_id = old.system_id
                        and newer.record_key = old.record_key and (newer.changed_at, newer.extracted_at)
                            > (old.changed_at, old.extracted_at)
                        and newer.checksum <> '{RETRACTED}' and not {taken_back(table, "newer")})""",
                (superseded_before,),
            ).rowcount
            removed[f"{entity}: expired records"] = conn.execute(
                f"""delete from {table} r where (r.system_id, r.record_key) in (
                        select system_id, record_key from {table} group by system_id, record_key
                        having max(changed_at) < %s)""",
                (records_before,),
            ).rowcount
        removed["quarantine"] = conn.execute(
            "delete from audit.quarantine where interval_start < %s", (superseded_before,)
        ).rowcount
        if dry_run:
            conn.rollback()
    return removed
