"""Faults real sources produce, through the real nightly DAG over several nights (issue #17): an answer that says
nothing, a silent system, NULL required columns, a status word in another case, a file cut mid-row and a copy
beside it, a unit of another system or of none, a dossier code of another system, change times from the future
and receipts from 1999, reference data that breaks dbt. After the faults and a clean night every dossier's state
in the marts equals its system's; `audit` and the gate's verdict say what happened each night; the alert names
the local night. Then the weekly reconciliation finds a deletion and a backward edit, and repairs a lost change."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta

import psycopg
import pytest

from onestop.extract.landing import retract_sql
from onestop.extract.raw_writer import INCOMING
from onestop.night import LOCAL_TZ, Night
from onestop.quality.gate import run_gate
from onestop.transform import run_dbt
from onestop.vocabulary import CSV_STATUS, ONEGATE_STATUS
from simulator.faults import Fault
from simulator.server import Servers
from tests.e2e.helpers.nightly import (
    DAGS,
    captured_output,
    point_airflow_at,
    province_with_empty_landing,
    run_night,
)
from tests.e2e.helpers.systems import latest_raw, system_truth

START = date(2025, 6, 2)
N0, N1, N2, N3 = (date(2025, 6, 16) + timedelta(days=k) for k in range(4))
UNKNOWN_UNIT = "000.99.99.H45"


def pick(sim) -> dict[str, str]:
    """Systems by role: A and D answer over HTTP, B is a vendor database, C drops files."""
    kinds = sim.world.kind_of
    api = sorted(s for s, k in kinds.items() if k == "dvcqg_api")
    return {
        "A": api[0],
        "D": api[1],
        "B": sorted(s for s, k in kinds.items() if k == "onegate_db")[0],
        "C": sorted(s for s, k in kinds.items() if k == "csv_drop")[0],
    }


def changed_tonight_api(sim, system: str, night: date, count: int) -> list[tuple[str, dict]]:
    """Dossiers changed tonight that the initial load already landed (so the marts hold an earlier state)."""
    with psycopg.connect(sim.db_url()) as conn:
        rows = conn.execute(
            f"select code, payload from {system}.hoso where updated_at::date = %s"
            " and payload::json ->> 'NgayTiepNhan' < %s order by code limit %s",
            (night, f"{N0:%Y%m%d}", count),
        ).fetchall()
    assert len(rows) == count, system
    return [(code, json.loads(payload)) for code, payload in rows]


def write_api(sim, system: str, code: str, payload: dict, updated_at: datetime) -> None:
    with psycopg.connect(sim.db_url(), autocommit=True) as conn:
        conn.execute(
            f"insert into {system}.hoso (code, updated_at, payload) values (%s, %s, %s) on conflict (code) do update"
            " set updated_at = excluded.updated_at, payload = excluded.payload",
            (code, updated_at, json.dumps(payload, ensure_ascii=False)),
        )


def break_onegate(sim, system: str, night: date) -> dict[str, str]:
    """Three dossiers changed tonight: one without its unit, one without its receipt, one whose status word is
    written in capitals ("Processing")."""
    with psycopg.connect(sim.db_url(system), autocommit=True) as conn:
        codes = [
            code
            for (code,) in conn.execute(
                "select dossier_no from dossier where updated_at::date = %s and received_at < %s"
                " order by dossier_no limit 3",
                (night, N0),
            )
        ]
        assert len(codes) == 3
        conn.execute("update dossier set unit_code = null where dossier_no = %s", (codes[0],))
        conn.execute("update dossier set received_at = null where dossier_no = %s", (codes[1],))
        conn.execute("update dossier set status = ' ' || initcap(status) where dossier_no = %s", (codes[2],))
        word = conn.execute("select status from dossier where dossier_no = %s", (codes[2],)).fetchone()[0]
    return {"no_unit": codes[0], "no_receipt": codes[1], "capitalised": codes[2], "word": word}


def break_units_csv(sim) -> tuple:
    """A unit's level that is none of the four: the reference loads, dbt's accepted_values test fails."""
    path = sim.registry_path.parent / "units.csv"
    original = path.read_bytes()
    rows = list(csv.DictReader(original.decode("utf-8-sig").splitlines()))
    rows[-1]["level"] = "xa"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, original


def reexport_without_two_rows(sim, system: str) -> dict[str, str]:
    """A corrected re-export of an earlier day's file without two of its rows: one dossier an earlier file showed
    too (its earlier state stands again), one that file alone showed (it was never the system's dossier)."""
    files = sorted(sim.drop_folder(system).glob("hoso_2*.csv"))
    rows = {path: list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines())) for path in files}
    last_file = {row[0]: path for path in files for row in rows[path][1:]}
    shown = {path: {row[0]: row for row in rows[path][1:]} for path in files}
    for path in files[2:-3]:  # a day of the initial load: later files do not show it again
        earlier = {code for older in files[: files.index(path)] for code in shown[older]}
        mine = [code for code in shown[path] if last_file[code] == path]
        again = [code for code in mine if code in earlier]
        alone = [code for code in mine if code not in earlier]
        if again and alone:
            break
    else:
        raise AssertionError("no day's file with both kinds of row")
    dropped = {again[0], alone[0]}
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(row for row in rows[path] if row[0] not in dropped)
    return {"file": path.name, "again": again[0], "alone": alone[0]}


@pytest.fixture(scope="module")
def faulty(airflow_db, warehouse_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("source_faults")
    sim = province_with_empty_landing(folder, warehouse_url, "simsrcfault", START, N0, 13)
    roles = pick(sim)
    a, b, c, d = roles["A"], roles["B"], roles["C"], roles["D"]
    with Servers(sim):
        point_airflow_at(sim)
        run_night(N0)  # the initial load (extraction only)

        # N1: A answers with nothing, D is silent, B's rows lack required values, C's file is still being written
        # (with a copy beside it), and the units' reference breaks dbt.
        sim.plan.add(Fault(a, N1, "blank_code"))
        sim.plan.add(Fault(d, N1, "silent"))
        sim.advance(N1)
        onegate = break_onegate(sim, b, N1)
        hoso = sim.drop_folder(c) / f"hoso_{N1:%Y%m%d}.csv"
        whole = hoso.read_bytes()
        hoso.write_bytes(whole[: len(whole) - 25])
        units, original_units = break_units_csv(sim)
        with captured_output(folder / "n1.log") as log:
            n1 = run_night(N1, with_dbt=True)[1]
        n1_log = log.read_text(encoding="utf-8")

        # N2: the export finished, the reference is fixed; A now sends records no landing may take.
        hoso.write_bytes(whole)
        (hoso.parent / f"hoso_{N1:%Y%m%d} (1).csv").write_bytes(whole)
        units.write_bytes(original_units)
        sim.advance(N2)
        retracted = reexport_without_two_rows(sim, c)
        poisoned = {}
        records = changed_tonight_api(sim, a, N2, 4)
        tonight = datetime.combine(N2, datetime.min.time()) + timedelta(hours=12)
        foreign = sim.world.units_of(b)[0].code
        for (code, payload), (name, change) in zip(
            records,
            [
                ("future", {"NgayCapNhat": "20990101000000"}),
                ("foreign_unit", {"MaDonViTiepNhan": foreign}),
                ("unknown_unit", {"MaDonViTiepNhan": UNKNOWN_UNIT}),
                ("receipt_1999", {"NgayTiepNhan": "19990101080000"}),
            ],
            strict=True,
        ):
            write_api(sim, a, code, payload | change, tonight)
            poisoned[name] = code
        claimed = sorted(latest_raw(warehouse_url, c))[0]  # a dossier of C, served by A with A's own unit
        write_api(sim, a, claimed, records[0][1] | {"MaHoSo": claimed, "NgayCapNhat": f"{N2:%Y%m%d}120000"}, tonight)
        poisoned["claimed"] = claimed
        # Landed through the DAG; the marts built in one dbt command and the night gated as its tasks would (the
        # DAG's dbt and gate tasks ran on N1): the suite's time goes to what only this night shows.
        n2 = run_night(N2)[1]
        built = run_dbt("build", "--quiet", check=False).returncode
        gate = run_gate(Night(N2), "source-faults-n2", fail_on_error=False)
        yield {
            "sim": sim,
            "roles": roles,
            "n1": n1,
            "n1_log": n1_log,
            "n2": n2,
            "n2_built": built,
            "n2_gate": gate,
            "onegate": onegate,
            "poisoned": poisoned,
            "retracted": retracted,
        }


def nights(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {
            night: (missing, reasons)
            for night, missing, reasons in conn.execute(
                "select interval_start::date, missing, reasons from audit.nights where interval_start = any(%s)",
                ([N1, N2],),
            )
        }


def quarantined(url: str, night: date) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select system_id, reason from audit.quarantine where interval_start = %s order by 1, 2", (night,)
        ).fetchall()
    return [(system, reason.split(":", 1)[0]) for system, reason in rows]


def verdict(url: str, night: date) -> dict[str, tuple[bool, bool, str]]:
    with psycopg.connect(url) as conn:
        return {
            system: (complete, built, " | ".join(reasons))
            for system, complete, built, reasons in conn.execute(
                "select system_id, complete, marts_built, reasons from marts.night_completeness where night = %s",
                (night,),
            )
        }


def test_the_first_faulty_night_fails_only_what_failed_and_says_why(faulty, warehouse_url) -> None:
    roles, n1 = faulty["roles"], faulty["n1"]
    assert sorted(n1["extract"]) == ["failed"] * 2 + ["success"] * (len(faulty["sim"].world.kind_of) - 2)
    missing, reasons = nights(warehouse_url)[N1]
    assert sorted(missing) == sorted([roles["A"], roles["C"]])
    # An answer that says nothing is a failure, quoted; a file cut mid-row is not delivered yet.
    assert "not an explicit success" in reasons[roles["A"]] and "Phiên đăng nhập đã hết hạn" in reasons[roles["A"]]
    assert "not delivered yet" in reasons[roles["C"]] and "middle of a line" in reasons[roles["C"]]
    # The silent system delivered, but cannot be vouched for.
    with psycopg.connect(warehouse_url) as conn:
        suspicion = conn.execute(
            "select suspicion from audit.extraction_runs where system_id = %s and interval_start = %s"
            " and status = 'success'",
            (roles["D"], N1),
        ).fetchone()[0]
    assert suspicion.startswith("silent: the system answered the window")


def test_required_values_go_to_quarantine_and_a_status_in_capitals_is_read(faulty, warehouse_url) -> None:
    b, onegate = faulty["roles"]["B"], faulty["onegate"]
    assert quarantined(warehouse_url, N1) == [(b, "missing_field"), (b, "missing_field")]
    assert onegate["word"] != onegate["word"].strip().lower()  # e.g. " Processing"
    landed = json.loads(latest_raw(warehouse_url, b)[onegate["capitalised"]])
    assert landed["status"] == onegate["word"].strip().lower()


def test_the_gate_judges_the_night_when_dbt_fails_and_the_alert_names_the_local_night(faulty, warehouse_url):
    n1, roles = faulty["n1"], faulty["roles"]
    dbt = {task: states for task, states in n1.items() if task.startswith("dbt.")}
    assert any("failed" in states for states in dbt.values()), dbt
    assert n1["quality_gate"] == ["failed"] and n1["publish"] == ["success"]
    judged = verdict(warehouse_url, N1)
    assert set(judged) == set(faulty["sim"].world.kind_of)
    assert all(not complete and not built and "dbt failed" in why for complete, built, why in judged.values())
    assert "nothing_quarantined" in judged[roles["B"]][2]
    assert "no_suspicious_delivery" in judged[roles["D"]][2]
    assert "every_system_delivered" in judged[roles["A"]][2]
    log = faulty["n1_log"]
    assert f"extract [{roles['A']}] failed for the night of {N1}" in log
    assert "+00:00 failed" not in log and "night of 2025-06-16 17:00" not in log


def test_records_no_landing_may_take_are_set_aside_with_their_reason(faulty, warehouse_url) -> None:
    a, b, c = faulty["roles"]["A"], faulty["roles"]["B"], faulty["roles"]["C"]
    n2 = faulty["n2"]
    assert n2["extract"] == ["success"] * len(faulty["sim"].world.kind_of)
    assert faulty["n2_built"] == 0 and not faulty["n2_gate"].passed
    assert quarantined(warehouse_url, N2) == sorted(
        [
            (a, "claimed_code"),
            (a, "foreign_unit"),
            (a, "implausible_date"),
            (a, "implausible_date"),
            (a, "unknown_unit"),
            # B's rows are still without their values: the lookback reads them again, and they stay aside.
            (b, "missing_field"),
            (b, "missing_field"),
            (c, "unexpected_file"),
        ]
    )
    judged = verdict(warehouse_url, N2)
    assert {s for s, (complete, _, _) in judged.items() if not complete} == {a, b, c}
    assert all(built for _, built, _ in judged.values())


STATUS_CODES = {
    "dvcqg_api": lambda value: int(value),
    "onegate_db": {word: code for code, word in ONEGATE_STATUS.items()}.__getitem__,
    "csv_drop": {text: code for code, text in CSV_STATUS.items()}.__getitem__,
}


def test_after_the_faults_and_a_clean_night_the_marts_hold_each_systems_state(faulty, warehouse_url) -> None:
    sim, poisoned, onegate = faulty["sim"], faulty["poisoned"], faulty["onegate"]
    set_aside = {*poisoned.values(), onegate["no_unit"], onegate["no_receipt"]}
    with psycopg.connect(warehouse_url) as conn:
        marts = {
            code: (system, status)
            for code, system, status in conn.execute(
                "select dossier_code, system_id, status_code from marts.fct_dossiers"
            )
        }
    for system, kind in sim.world.kind_of.items():
        held = system_truth(sim, system)
        if system == faulty["roles"]["B"]:  # the system still writes it in capitals; it landed as its word
            held[onegate["capitalised"]] = onegate["word"].strip().lower()
        expected = {code: STATUS_CODES[kind](status) for code, status in held.items() if code not in set_aside}
        found = {code: status for code, (owner, status) in marts.items() if owner == system and code not in set_aside}
        assert found == expected, system
    # A corrected re-export took two rows back: the earlier file's state stands again (the system's truth reads
    # the newest file showing each code), the dossier only that file showed is gone from the marts.
    retracted = faulty["retracted"]
    assert retracted["alone"] not in marts and marts[retracted["again"]][0] == faulty["roles"]["C"]
    # The claimed code stays its owner's dossier; the dossiers set aside keep their last good state.
    assert marts[poisoned["claimed"]][0] == faulty["roles"]["C"]
    assert all(code in marts for code in set_aside)


def test_a_corrected_re_export_takes_back_the_rows_it_no_longer_holds(faulty, warehouse_url) -> None:
    c, retracted = faulty["roles"]["C"], faulty["retracted"]
    with psycopg.connect(warehouse_url) as conn:
        marks = conn.execute(
            "select record_key, payload ->> '_file' from raw.dossier_records where system_id = %s"
            " and checksum = 'retracted'",
            (c,),
        ).fetchall()
        counted = conn.execute(
            "select rows_retracted from audit.extraction_runs where system_id = %s and interval_start = %s"
            " and status = 'success'",
            (c, N2),
        ).fetchone()[0]
        # Nothing the system sent is lost: the versions taken back are still in raw.
        kept = conn.execute(
            "select count(*) from raw.dossier_records where system_id = %s and record_key = any(%s)"
            " and payload ->> '_file' = %s and checksum <> 'retracted'",
            (c, [retracted["again"], retracted["alone"]], retracted["file"]),
        ).fetchone()[0]
    assert sorted(marks) == sorted((code, retracted["file"]) for code in (retracted["again"], retracted["alone"]))
    assert counted == 2 and kept == 2


def test_a_re_exports_retraction_can_read_that_files_rows_by_their_index(faulty, warehouse_url) -> None:
    """A corrected re-export reads the rows of its earlier versions by the file index (sql/04_raw.sql), not every
    row the system ever landed: on the year's history that scan took 0.3-0.5 s a file. Not a timing: with
    sequential scans ruled out, the plan must pick that index over the system's own (system_id, interval_start)."""
    c, retracted = faulty["roles"]["C"], faulty["retracted"]
    with psycopg.connect(warehouse_url) as conn:
        file_indexes = {
            name
            for (name,) in conn.execute(
                "select indexname from pg_indexes where schemaname = 'raw' and tablename like 'dossier_records_%%'"
                " and indexdef like '%%''_file''%%'"
            )
        }
        conn.execute(INCOMING)
        conn.execute("set local enable_seqscan = off")
        plan = psycopg.ClientCursor(conn).execute(
            "explain " + retract_sql("raw.dossier_records"),
            {
                "batch": "plan-only",
                "interval": datetime(2025, 6, 30),
                "interval_end": datetime(2025, 7, 1),
                "extracted_at": datetime.now(LOCAL_TZ),
                "checksum": "plan-only",
                "system": c,
                "file": retracted["file"],
                "entity": "dossiers",
                "lines": f"{retracted['file']} line %",
            },
        )
        used = {name for (line,) in plan for name in file_indexes if f" {name} " in f" {line} "}
    assert file_indexes and used, f"the retraction's plan uses none of {sorted(file_indexes)}"


def test_a_vendor_table_locked_for_long_fails_the_system_naming_the_limit(warehouse_url, monkeypatch) -> None:
    from types import SimpleNamespace

    from onestop.sources import SourceError
    from onestop.sources.onegate_db import OnegateDbSource
    from onestop.warehouse import with_database
    from tests.e2e.helpers.vendor import vendor_database

    connection = vendor_database(warehouse_url, "vendor_locked", "motcua")
    extra = {"vendor_schema": "motcua", "lock_timeout": 1, "statement_timeout": 20}
    monkeypatch.setenv("AIRFLOW_CONN_ONESTOP_LOCKED", json.dumps({**connection, "extra": extra}))
    entry = SimpleNamespace(id="locked", conn_id="onestop_locked")
    window = (datetime(2025, 6, 1), datetime(2025, 6, 2))
    with psycopg.connect(with_database(warehouse_url, "vendor_locked")) as holder:
        holder.execute("lock table motcua.feedback in access exclusive mode")  # held until the block ends
        began = datetime.now()
        with pytest.raises(SourceError, match=r"system locked .*stayed locked longer than lock_timeout=1 s"):
            list(OnegateDbSource(entry, *window).records())
        assert datetime.now() - began < timedelta(seconds=15)


def test_the_weekly_reconciliation_finds_deletions_and_backward_edits_and_repairs_a_lost_change(
    faulty, warehouse_url
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    sim, roles = faulty["sim"], faulty["roles"]
    a, b = roles["A"], roles["B"]
    landed_a = latest_raw(warehouse_url, a)
    old = sorted(
        code
        for code, payload in landed_a.items()
        if json.loads(payload)["TrangThaiHoSo"] == "10" and json.loads(payload)["NgayCapNhat"] < "20250606"
    )
    gone, lost = old[0], old[1]
    with Servers(sim):
        point_airflow_at(sim)
        with psycopg.connect(sim.db_url(), autocommit=True) as conn:
            conn.execute(f"delete from {a}.hoso where code = %s", (gone,))
            payload = json.loads(conn.execute(f"select payload from {a}.hoso where code = %s", (lost,)).fetchone()[0])
        # A change the system made long before tonight's window (it reported it late): no night reads it.
        edited = payload | {"TenTTHC": "Thủ tục (đã sửa tên)", "NgayCapNhat": "20250608120000"}
        write_api(sim, a, lost, edited, datetime(2025, 6, 8, 12))
        with psycopg.connect(sim.db_url(b), autocommit=True) as conn:
            backward = conn.execute(
                "select dossier_no from dossier where status = 'done' and updated_at < '2025-06-06' order by 1 limit 1"
            ).fetchone()[0]
            conn.execute(
                "update dossier set updated_at = updated_at - interval '30 days' where dossier_no = %s", (backward,)
            )
        dag = DagBag(dag_folder=str(DAGS / "onestop_reconcile.py")).get_dag("onestop_reconcile")
        run = dag.test(logical_date=datetime(2025, 6, 22, 12, tzinfo=LOCAL_TZ))
        states = {ti.task_id: str(ti.state) for ti in run.get_task_instances() if ti.task_id != "reconcile"}
        assert states == {"systems": "success", "report": "success"}
        with psycopg.connect(warehouse_url) as conn:
            findings = {
                (system, entity, finding, key)
                for system, entity, finding, key in conn.execute(
                    "select system_id, entity, finding, record_key from audit.reconciliation_findings"
                )
            }
            rewound = conn.execute("select watermark from audit.watermarks where system_id = %s", (a,)).fetchone()[0]
        # Nothing else differs: what the nightly sets aside (foreign units, codes of another system, dates from the
        # future) is not called lost, nor deleted.
        assert findings == {
            (a, "dossiers", "deleted", gone),
            (a, "dossiers", "lost", lost),
            (b, "dossiers", "backward_edit", backward),
        }
        assert rewound == datetime(2025, 6, 8, 12)
        # The next night re-reads from there, through the ordinary path: the lost change lands.
        sim.advance(N3)
        run_night(N3)
    assert json.loads(latest_raw(warehouse_url, a)[lost])["TenTTHC"] == "Thủ tục (đã sửa tên)"
