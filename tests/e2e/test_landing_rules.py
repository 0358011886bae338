"""The landing's rules on real PostgreSQL, fed by a source the test writes record by record: what a night's lookback
reads again and already stands is not written again, and what lands is still exactly what the rules say
(onestop/extract/raw_writer.py). Two systems of their own, whose rows are removed before and after."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from onestop.extract import landing
from onestop.extract.raw_writer import CONTESTED, INCOMING, filtered_sides
from onestop.night import Night
from onestop.registry import SystemEntry
from onestop.sources import Record

UNIT = "000.98.01.H45"
A = SystemEntry(id="rulesa", kind="dvcqg_api", units=(UNIT,))
B = SystemEntry(id="rulesb", kind="dvcqg_api", units=(UNIT,))
N0, N1, N2 = Night(date(2025, 6, 1)), Night(date(2025, 6, 2)), Night(date(2025, 6, 3))
LOOKBACK = timedelta(days=2)


def dossier(code: str, changed: str, status: str = "4") -> dict:
    return {
        "MaHoSo": f"RULES-{code}",
        "MaTTHC": "1.004873",
        "MaDonViTiepNhan": UNIT,
        "KenhThucHien": "2",
        "NgayTiepNhan": "20250601080000",
        "NgayHenTra": "20250604170000",
        "TrangThaiHoSo": status,
        "NgayKetThucXuLy": "",
        "NgayCapNhat": changed,
        "QuaTrinhXuLy": [],
    }


class Answer:
    """One night's answer of a system: its records, in the order given."""

    control_totals: dict[str, int] = {}
    bytes_read = 0

    def __init__(self, payloads: list[dict]):
        self.payloads = payloads

    def records(self) -> Iterator[Record]:
        for n, payload in enumerate(self.payloads):
            yield Record("dossiers", f"page 1 #{n}", json.dumps(payload, ensure_ascii=False), payload)

    def describe(self) -> str:
        return "the test's answer"


def clear(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for table in (
            "raw.dossier_records",
            "raw.feedback_records",
            "audit.quarantine",
            "audit.watermarks",
            "audit.extraction_runs",
        ):
            conn.execute(f"delete from {table} where system_id = any(%s)", ([A.id, B.id],))


@pytest.fixture
def land(warehouse_url, monkeypatch):
    """land(system, night, payloads) -> the landing's outcome, the system answering exactly `payloads`."""
    clear(warehouse_url)
    answers: dict[str, Answer] = {}
    monkeypatch.setattr(landing, "open_source", lambda entry, **_: answers[entry.id])

    def run(system: SystemEntry, night: Night, payloads: list[dict]) -> landing.Outcome:
        answers[system.id] = Answer(payloads)
        return landing.Landing(warehouse_url, system, night, LOOKBACK).run()

    yield run
    clear(warehouse_url)


def landed(url: str, night: Night) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select system_id, record_key, payload ->> 'TrangThaiHoSo' from raw.dossier_records"
            " where system_id = any(%s) and interval_start = %s order by 1, 2",
            ([A.id, B.id], night.start),
        ).fetchall()


def test_what_the_lookback_reads_again_is_not_written_and_the_last_read_still_decides(land, warehouse_url) -> None:
    assert land(A, N0, [dossier("W", "20250601090000")]).rows_landed == 1  # A's first landing: its history
    first = land(
        A, N1, [dossier("W", "20250601090000"), dossier("X", "20250602090000"), dossier("Y", "20250602100000")]
    )
    # A version of the first landing read again is written and taken out after the COPY: that batch, the system's
    # whole history, is not read for the few its first nights read again.
    assert (first.rows_landed, first.duplicates_dropped, first.rows_standing) == (2, 1, 0)
    second = land(
        A,
        N2,
        [
            dossier("X", "20250602090000"),  # read again, as it stands
            dossier("Y", "20250602100000", status="5"),  # the same version, another checksum, read first...
            dossier("Y", "20250602100000"),  # ...and last as it stands: the last read decides, and it stands
            dossier("Z", "20250603080000"),  # new
        ],
    )
    assert second.rows_standing == 2  # X and Y's last read: never written
    assert (second.rows_read, second.rows_landed, second.duplicates_dropped) == (4, 1, 3)
    assert landed(warehouse_url, N2) == [(A.id, "RULES-Z", "4")]
    # The night's earlier run is no standing version: a re-run replaces what it landed and reads again.
    rerun = land(A, N2, [dossier("Z", "20250603080000"), dossier("X", "20250602090000")])
    assert (rerun.rows_standing, rerun.rows_landed) == (1, 1)
    assert landed(warehouse_url, N2) == [(A.id, "RULES-Z", "4")]


def test_a_version_that_stands_and_changed_is_read_changed_and_lands(land, warehouse_url) -> None:
    land(A, N0, [dossier("W", "20250601090000")])
    land(A, N1, [dossier("X", "20250602090000")])
    # The same change time, another checksum (the system edited without moving its change time), read last.
    second = land(A, N2, [dossier("X", "20250602090000"), dossier("X", "20250602090000", status="5")])
    assert (second.rows_standing, second.rows_landed, second.duplicates_dropped) == (1, 1, 1)
    assert landed(warehouse_url, N2) == [(A.id, "RULES-X", "5")]


def test_a_claimed_code_read_again_is_quarantined_with_the_payload_that_stood(land, warehouse_url) -> None:
    quarrel = dossier("Q", "20250602080000")
    land(B, N0, [dossier("W", "20250601090000")])
    land(B, N1, [quarrel])
    # Another system landed the same code first, unseen by B's landing (two new codes landing at once): its row,
    # written behind the landing's back, is older than B's.
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(
            "insert into raw.dossier_records select %s, kind, 'rulesa-race', interval_start, interval_end,"
            " extracted_at - interval '1 minute', record_key, changed_at, checksum, payload"
            " from raw.dossier_records where system_id = %s and record_key = %s",
            (A.id, B.id, quarrel["MaHoSo"]),
        )
    again = land(B, N2, [quarrel])
    assert (again.rows_standing, again.rows_quarantined, again.rows_landed, again.duplicates_dropped) == (1, 1, 0, 0)
    with psycopg.connect(warehouse_url) as conn:
        reason, row = conn.execute(
            "select reason, raw_row from audit.quarantine where system_id = %s and interval_start = %s",
            (B.id, N2.start),
        ).fetchone()
    assert reason.startswith(f"claimed_code: RULES-Q is a dossier of system {A.id}")
    assert json.loads(row) == quarrel


def test_a_plan_that_would_filter_rows_by_the_batch_codes_is_not_run(land, warehouse_url, caplog) -> None:
    # Statistics taken when only B had landed say the systems before it hold nothing; A holds 1,200 dossiers, one of
    # them a code B reads. The plan that scans A's rows and searches B's codes for each is the one that ran for
    # minutes on the year: the landing must see it and ask code by code, and find the same contested code.
    land(A, N0, [dossier("Q", "20250601090000")])
    with psycopg.connect(warehouse_url) as conn:
        if conn.info.server_version < 180000:
            pytest.skip("statistics are written by pg_restore_attribute_stats, from PostgreSQL 18")
        # All of it in this transaction, rolled back: the rows, the statistics.
        conn.execute(
            "insert into raw.dossier_records select system_id, kind, batch_id, interval_start, interval_end,"
            " extracted_at, 'RULES-F' || n, changed_at, checksum, payload"
            " from raw.dossier_records, generate_series(1, 1200) as n where system_id = %s",
            (A.id,),
        )
        conn.execute(INCOMING)
        conn.execute(
            "insert into incoming (seq, entity, record_key) select n, 'dossiers', 'RULES-B' || n"
            " from generate_series(1, 2000) as n union all select 0, 'dossiers', 'RULES-Q'"
        )
        conn.execute("analyze incoming")
        for (partition,) in conn.execute(
            "select c.relname from pg_inherits join pg_class as c on c.oid = inhrelid"
            " where inhparent = 'raw.dossier_records'::regclass"
        ).fetchall():
            conn.execute(
                "select pg_restore_attribute_stats('schemaname', 'raw'::text, 'relname', %s::text,"
                " 'attname', 'system_id'::text, 'inherited', false, 'null_frac', 0::real, 'avg_width', 7::integer,"
                " 'n_distinct', 1::real, 'most_common_vals', %s::text, 'most_common_freqs', '{1.0}'::real[])",
                (partition, "{" + B.id + "}"),
            )
        batch = {"system": B.id}
        plan = conn.execute(f"explain (format json) {CONTESTED}", batch).fetchone()[0][0]["Plan"]
        assert "<" in filtered_sides(plan), "the planner chose another plan"
        with caplog.at_level(logging.INFO, logger=landing.__name__):
            contested = landing.Landing(warehouse_url, B, N1, LOOKBACK)._contested(conn, batch)
        conn.rollback()
    assert contested == ["RULES-Q"]
    assert "asked code by code" in caplog.text
