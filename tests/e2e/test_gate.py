"""The quality gate through the real nightly DAG: a clean night passes; a system down, a malformed batch and a
volume collapse each fail the expectation meant for it, readable in audit.quality_results, and the month's
completeness says so. Duplicate dossiers written into staging behind the loader's back are a structural fault:
dbt's whole-table tests (every Sunday's run) find it and the gate fails the night for it; an ordinary night's
tests read the rows its build wrote, and leave them be."""

from __future__ import annotations

import re
from datetime import date, timedelta

import psycopg
import pytest

from onestop.quality.gate import data_docs_index
from onestop.quality.suites import checks
from simulator.faults import Fault
from simulator.server import Servers
from tests.e2e.helpers.cdp import Page
from tests.e2e.helpers.nightly import point_airflow_at, province_with_empty_landing, run_night

FIRST = date(2025, 6, 1)  # the initial load
CLEAN = date(2025, 6, 2)  # a Monday, ordinary
FAULTY = date(2025, 6, 9)  # the next Monday: same weekday, so volume compares with CLEAN
DOWN, MALFORMED, SILENT = "tuyan", "phuhoa", "songcau"  # onegate_db, onegate_db, dvcqg_api
DBT_AND_GATE = r"(?!dbt\.|quality_gate$|publish$).*"  # everything else marked successful, not run


def results(url: str, night: date) -> dict[tuple[str, str], tuple[bool, str, dict]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select suite, expectation, success, severity, details from audit.quality_results"
            " where interval_start = %s and run_id = (select run_id from audit.quality_results"
            " where interval_start = %s order by checked_at desc limit 1)",
            (night, night),
        ).fetchall()
    return {(suite, name): (success, severity, details) for suite, name, success, severity, details in rows}


def failed_systems(found, key) -> set[str]:
    success, _, details = found[key]
    assert not success, key
    return {row["system_id"] for row in details["unexpected_rows"] if row.get("system_id")}


def verdict(url: str, night: date) -> dict[str, tuple[bool, list[str]]]:
    with psycopg.connect(url) as conn:
        conn.execute("set role onestop_bi")  # the verdict is where BI can read it
        rows = conn.execute(
            "select system_id, complete, reasons from marts.night_completeness where night = %s", (night,)
        ).fetchall()
    return {system: (complete, reasons) for system, complete, reasons in rows}


@pytest.fixture(scope="module")
def gated(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(
        tmp_path_factory.mktemp("gate"), warehouse_url, "simgate", date(2025, 5, 1), FIRST, 77
    )
    runs = {}
    with Servers(sim):
        point_airflow_at(sim)
        run_night(FIRST, with_dbt=True, conf={"transform": False})
        sim.advance(CLEAN)
        runs["clean_run"], runs["clean"] = run_night(CLEAN, with_dbt=True)
        runs["clean_results"] = results(warehouse_url, CLEAN)
        runs["clean_verdict"] = verdict(warehouse_url, CLEAN)
        sim.plan.add(Fault(DOWN, FAULTY, "down"))
        sim.plan.add(Fault(MALFORMED, FAULTY, "malformed", {"rate": 0.2}))
        sim.plan.add(Fault(SILENT, FAULTY, "silent"))
        sim.advance(FAULTY)
        runs["faulty"] = run_night(FAULTY, with_dbt=True)[1]
        runs["faulty_results"] = results(warehouse_url, FAULTY)
        runs["faulty_verdict"] = verdict(warehouse_url, FAULTY)
        # Behind the loader's back: dossiers written twice into staging (among the first night's, which tonight's
        # incremental build leaves as they are), and a history entry's time blanked in a version the first night
        # landed; then dbt and the gate run again: as an ordinary night (whose tests read the rows the build wrote
        # and the versions it read), then testing whole tables (as every Sunday's run does).
        with psycopg.connect(warehouse_url) as conn:
            conn.execute(
                "insert into staging.int_dossiers_deduplicated select * from staging.int_dossiers_deduplicated"
                " where system_id = 'tuyhoa' order by refreshed_at, dossier_code limit 3"
            )
            conn.execute(
                "with one as (select system_id, record_key, changed_at from raw.dossier_records"
                "  where kind = 'dvcqg_api' and interval_start::date = %s"
                "  and jsonb_array_length(payload -> 'QuaTrinhXuLy') > 0 order by record_key limit 1)"
                " update raw.dossier_records as r"
                " set payload = jsonb_set(r.payload, '{QuaTrinhXuLy,0,ThoiDiemXuLy}', '\"\"') from one"
                " where (r.system_id, r.record_key, r.changed_at) = (one.system_id, one.record_key, one.changed_at)",
                (FIRST,),
            )
        runs["duplicates_tonight"] = run_night(FAULTY, with_dbt=True, conf=None, mark_success=DBT_AND_GATE)[1]
        whole = {"whole_table_tests": True}
        runs["duplicates"] = run_night(FAULTY, with_dbt=True, conf=whole, mark_success=DBT_AND_GATE)[1]
        runs["duplicates_results"] = results(warehouse_url, FAULTY)
    return runs


def test_a_clean_night_passes(gated) -> None:
    assert gated["clean"]["quality_gate"] == ["success"] and gated["clean"]["publish"] == ["success"]
    errors = [key for key, (ok, severity, _) in gated["clean_results"].items() if not ok and severity == "error"]
    assert not errors
    assert len(gated["clean_results"]) == len(checks())  # every check of every suite ran
    assert gated["clean_verdict"] and all(complete for complete, _ in gated["clean_verdict"].values())
    docs = data_docs_index()
    assert docs.exists()
    site = "".join(path.read_text(errors="replace") for path in docs.parent.rglob("*.html"))
    assert "nothing_quarantined" in site or "Nothing was set aside" in site


def test_the_runs_duration_is_the_real_one(gated) -> None:
    """`dag.test` starts a run at its logical date: a night of June 2025 run today would show in Airflow's UI as
    lasting more than a year. The run starts when its first task did."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        stored = session.get(DagRun, gated["clean_run"].id)
        duration = stored.end_date - stored.start_date
    assert timedelta(seconds=1) < duration < timedelta(minutes=30), duration


def test_each_fault_fails_its_expectation(gated) -> None:
    found = gated["faulty_results"]
    assert gated["faulty"]["quality_gate"] == ["failed"]
    assert gated["faulty"]["publish"] == ["success"]  # the report still follows, and shows what is incomplete
    assert failed_systems(found, ("completeness", "every_system_delivered")) == {DOWN}
    assert MALFORMED in failed_systems(found, ("completeness", "nothing_quarantined"))
    assert failed_systems(found, ("completeness", "volume_not_collapsed")) >= {SILENT}
    assert SILENT not in failed_systems(found, ("completeness", "every_system_delivered"))
    # The reasons are readable where they are kept.
    _, _, details = found[("completeness", "every_system_delivered")]
    assert details["description"] and details["unexpected_rows"][0]["undelivered_reason"]


def test_the_night_and_month_verdicts_reflect_the_faults(gated, warehouse_url) -> None:
    faulty = gated["faulty_verdict"]
    assert {system for system, (complete, _) in faulty.items() if not complete} == {DOWN, MALFORMED, SILENT}, faulty
    assert any("not delivered" in reason for reason in faulty[DOWN][1])
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("set role onestop_bi")
        months = conn.execute(
            "select month_start, unit_code, complete, reasons from marts.data_completeness where view = 'as_was'"
        ).fetchall()
        held = dict(conn.execute("select distinct unit_code, system_id from marts.fct_dossiers").fetchall())
    may = [row for row in months if row[0] == date(2025, 5, 1)]
    june = {unit: (complete, reasons) for month, unit, complete, reasons in months if month == date(2025, 6, 1)}
    assert may and all(complete for _, _, complete, _ in may)  # covered by the complete initial load
    down_units = [unit for unit, system in held.items() if system == DOWN]
    assert down_units
    for unit in down_units:
        complete, reasons = june[unit]
        assert not complete and any(r.startswith(f"{DOWN} 2025-06-09") for r in reasons), reasons


def test_duplicates_in_staging_fail_dbts_test_and_the_gate(gated, warehouse_url) -> None:
    # An ordinary night tests the rows its build wrote and the versions it read: older ones are not its to find.
    tonight = gated["duplicates_tonight"]
    assert not [task for task, seen in tonight.items() if task.startswith("dbt.") and "failed" in seen], tonight
    states = gated["duplicates"]
    assert states["quality_gate"] == ["failed"]
    failed = [task for task, seen in states.items() if "failed" in seen and task.startswith("dbt.")]
    assert any("int_dossiers_deduplicated" in task for task in failed), states
    assert any("stg_dvcqg_api__history" in task for task in failed), states  # the blanked time, landed long ago
    success, severity, _ = gated["duplicates_results"][("marts", "dbt_build")]
    assert not success and severity == "error"
    with psycopg.connect(warehouse_url) as conn:
        observed = conn.execute(
            "select observed_value from audit.quality_results where expectation = 'dbt_build'"
            " order by checked_at desc limit 1"
        ).fetchone()[0]
    assert "int_dossiers_deduplicated" in observed  # the gate names the dbt task that failed


def test_data_docs_work_offline_and_call_nobody(gated) -> None:
    """The site as a provincial network without internet sees it: networking off in the page, every asset from
    the site itself, the run list drawn, a validation page showing what each check observed."""
    site = data_docs_index().parent
    # No asset from elsewhere: no script, style, image or font address off the site (text quoting an address, as
    # an error message may, is not an asset).
    remote = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")
    for path in [*site.rglob("*.html"), *site.rglob("*.css")]:
        assert not remote.search(path.read_text(errors="replace")), (path, remote.search(path.read_text()))
    with Page(width=1400, height=1800) as page:
        page.send(
            "Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1
        )
        page.goto(data_docs_index().as_uri())
        rows = page.wait_for(
            "Array.from(document.querySelectorAll('table tbody tr')).map(r => r.innerText.replace(/\\s+/g, ' '))"
        )
        # The runs are listed by night, one per suite and try; the table is bootstrap-table's, drawn by its script.
        for night in (CLEAN, FAULTY):
            assert sum(night.isoformat() in row for row in rows) >= 3, rows
        assert page.evaluate("typeof jQuery.fn.bootstrapTable") == "function"
        faulty = sorted(site.glob(f"validations/completeness/{FAULTY.isoformat()}/*/*.html"))[0]
        page.goto(faulty.as_uri())
        text = page.evaluate("document.body.innerText")
        # What a failed check observed: the system that did not deliver, and why.
        assert DOWN in text and "SourceError" in text and "Unsuccessful Expectations" in text
        failed = [e for e in page.events if e.get("method") in ("Network.loadingFailed", "Runtime.exceptionThrown")]
        assert not failed, failed
        assert page.outbound("file://") == []
