"""Emptying a warehouse for a fresh start on one machine (the tests, the benchmarks): the landing and what dbt
built from it. Never part of a night: a province's warehouse is only ever added to."""

from __future__ import annotations

import psycopg

LANDING_TABLES = (
    "raw.dossier_records",
    "raw.feedback_records",
    "audit.extraction_runs",
    "audit.watermarks",
    "audit.quarantine",
    "audit.csv_files",
    "audit.nights",
    # What the gate and the report said of that landing.
    "audit.quality_results",
    "audit.night_verdicts",
    "audit.report_runs",
)


def empty_warehouse(url: str) -> None:
    """The landing emptied, and what dbt built from an earlier landing dropped: incremental models would otherwise
    keep its dossiers."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in LANDING_TABLES:
            conn.execute(f"truncate {table}")
        for (name,) in conn.execute(
            "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname in ('staging', 'marts')"
        ).fetchall():
            conn.execute(f"drop table if exists {name} cascade")
