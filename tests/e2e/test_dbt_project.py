"""The dbt project on its own: every unit test (the rules of metrics.md pinned on hand-made rows) passes against the
real warehouse, every contracted table holds its contract's columns, types and key, and the documentation site
builds with the exposures in it."""

from __future__ import annotations

import json

import psycopg

from onestop.transform import dbt_target, run_dbt
from tests.e2e.helpers.marts import keys


def test_unit_tests_pass_contracts_hold_and_docs_generate(warehouse_url) -> None:
    # Unit tests need their inputs' relations to exist: build everything empty first (no data read).
    run_dbt("build", "--empty", "--exclude", "test_type:unit", "test_type:data", url=warehouse_url)
    result = run_dbt("test", "--select", "test_type:unit", url=warehouse_url, check=False)
    assert result.returncode == 0
    run_results = json.loads((dbt_target() / "run_results.json").read_text())
    passed = {r["unique_id"].rsplit(".", 1)[-1] for r in run_results["results"] if r["status"] == "pass"}
    assert {
        "lifecycle_clock_start_due_and_end_of_processing",
        "dossier_month_pauses_rerequests_and_pending_requests",
        "feedback_deadlines_and_transfers",
        "scorecard_zero_denominators_caps_and_feedback",
        "lifecycle_hand_over_without_finish_and_withdrawal_anywhere",
        "scorecard_not_reported_indicators_and_provisional_months",
    } <= passed, passed

    run_dbt("docs", "generate", url=warehouse_url)
    catalog = json.loads((dbt_target() / "catalog.json").read_text())
    manifest = json.loads((dbt_target() / "manifest.json").read_text())
    assert "model.onestop.fct_unit_month_scorecard" in catalog["nodes"]
    # Every contracted table holds its contract's columns, in order and of its types, with its primary key
    # (macros/contract_tables.sql creates it from its select and adds the key after).
    contracted = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
        and n["config"]["contract"]["enforced"]
        and n["config"]["materialized"] in ("table", "incremental")
    ]
    assert len(contracted) >= 15
    found_keys = keys(warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        for node in contracted:
            table = f"{node['schema']}.{node['alias']}"
            columns = conn.execute(
                "select a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull from pg_attribute as a"
                " where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum",
                (table,),
            ).fetchall()
            declared = next(c["columns"] for c in node["constraints"] if c["type"] == "primary_key")
            assert [(name, data_type) for name, data_type, _ in columns] == [
                (c["name"], c["data_type"]) for c in node["columns"].values()
            ], table
            assert ("pk", tuple(sorted(declared))) in found_keys[table], table
            assert {name for name, _, not_null in columns if not_null} == set(declared), table
    assert {"exposure.onestop.monthly_emulation_report", "exposure.onestop.bi_timeliness_dashboards"} <= set(
        manifest["exposures"]
    )
    # Every model is documented.
    undocumented = [
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and not n["description"]
    ]
    assert not undocumented, undocumented


def test_the_calendar_is_rebuilt_when_it_changes_and_only_then(warehouse_url, owner) -> None:
    """dim_date is incremental on its calendar's version: a night writes none of its rows, a new exception (a
    make-up Saturday announced) rewrites it."""

    def built() -> int:
        run_dbt("run", "--select", "dim_date", url=warehouse_url)
        results = json.loads((dbt_target() / "run_results.json").read_text())["results"]
        return next(r["adapter_response"]["rows_affected"] for r in results if r["unique_id"].endswith(".dim_date"))

    saturday = "2025-03-08"
    try:
        run_dbt("seed", "--select", "public_holidays", "calendar_exceptions", url=warehouse_url)
        run_dbt("run", "--select", "dim_date", "--full-refresh", url=warehouse_url)
        assert built() == 0  # the calendar as it was: nothing written
        owner.execute(
            "insert into staging.calendar_exceptions (day, is_working_day, note) values (%s, true, 'test')", (saturday,)
        )
        assert built() > 5000  # every day anew
        flag = owner.execute("select is_working_day from marts.dim_date where day = %s", (saturday,)).fetchone()[0]
        assert flag is True
        assert built() == 0
    finally:
        run_dbt("seed", "--select", "calendar_exceptions", "--full-refresh", url=warehouse_url)
        run_dbt("run", "--select", "dim_date", url=warehouse_url)
