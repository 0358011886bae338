"""The raw purge deletes what is past retention and keeps the latest version of every record."""

from __future__ import annotations

from datetime import date

import psycopg

from onestop.extract.retention import purge
from onestop.warehouse.partitions import months

ROW = (
    "insert into raw.dossier_records (system_id, kind, batch_id, interval_start, interval_end, extracted_at,"
    " record_key, changed_at, checksum, payload) values ('purgetest', 'csv_drop', 'b', %s, %s, %s, %s, %s,"
    " %s, '{}')"
)


def test_purge_keeps_latest_versions(warehouse_url: str, role_urls: dict[str, str]) -> None:
    versions = [
        ("K1", "2024-01-10", "2024-01-10"),  # superseded long ago: deleted
        ("K1", "2025-06-01", "2025-06-01"),  # latest of K1: kept
        ("K2", "2025-05-01", "2025-05-01"),  # superseded recently: kept
        ("K2", "2025-06-02", "2025-06-02"),
        ("K3", "2019-01-01", "2019-01-01"),  # unchanged for over five years: deleted
        # A csv row whose later version a corrected re-export took back: the earlier one stands again, kept.
        ("K4", "2024-01-10", "2024-01-10"),
        ("K4", "2024-01-20", "2024-01-20"),  # taken back below: superseded by nothing, but also nothing it stands on
    ]
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        for key, interval, changed in versions:
            conn.execute("select raw.ensure_month(%s)", (interval,))
            conn.execute(ROW, (interval, interval, interval, key, changed, "c"))
        conn.execute(ROW, ("2024-01-25", "2024-01-25", "2024-01-25", "K4", "2024-01-20", "retracted"))
        removed = purge(role_urls["loader"], date(2025, 6, 10))  # as `onestop raw purge` logs in
        # A month wholly past retention that keeps nothing is dropped; one that keeps rows is rewritten with them;
        # the months still within it are left.
        kept_months = set(months(conn, "dossier_records"))
        left = conn.execute(
            "select record_key, changed_at::date::text from raw.dossier_records"
            " where system_id = 'purgetest' order by 1, 2"
        ).fetchall()
        conn.execute("delete from raw.dossier_records where system_id = 'purgetest'")
    assert left == [
        ("K1", "2025-06-01"),
        ("K2", "2025-05-01"),
        ("K2", "2025-06-02"),
        ("K4", "2024-01-10"),
        ("K4", "2024-01-20"),
        ("K4", "2024-01-20"),
    ]
    assert removed["dossiers: superseded versions"] >= 1 and removed["dossiers: expired records"] >= 1
    assert "dossier_records_2019_01" not in kept_months
    assert {"dossier_records_2024_01", "dossier_records_2025_05", "dossier_records_2025_06"} <= kept_months
