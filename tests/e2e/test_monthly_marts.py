"""The monthly marts (`fct_unit_month_scorecard`, `fct_overdue_items`) rebuilt one month at a time (#21): nights
landed through the real DAG over five months of history, across a month's end; after each incremental build the
marts equal a full refresh of the same data, the months before the earliest one anything changed in stand as
they were built, the month a night ended is rebuilt as final, and a change of a dimension rebuilds every month.
Beside them, the statistics: a table analyzes itself when its build created it or changed much of it, not else."""

from __future__ import annotations

import json
from datetime import date, datetime

import psycopg
import pytest

from onestop.transform import dbt_target, run_dbt
from simulator.server import Servers
from tests.e2e.helpers.marts import checksums
from tests.e2e.helpers.nightly import point_airflow_at, province_with_empty_landing, run_night

START = date(2025, 4, 1)
FIRST = date(2025, 8, 28)
NIGHT = ["--vars", '{"tests_scope": "night"}', "--exclude-resource-type", "unit_test", "--quiet"]
MONTHLY = ("fct_unit_month_scorecard", "fct_overdue_items")


def built_months(url: str) -> dict[str, dict]:
    """Per monthly mart: the months the latest build wrote, the months it left, and each month's finality."""
    with psycopg.connect(url) as conn:
        found = {}
        for table in MONTHLY:
            rows = conn.execute(
                f"select month_start, bool_and(is_final), max(refreshed_at) = (select max(refreshed_at)"
                f" from marts.{table}) from marts.{table} group by 1 order by 1"
            ).fetchall()
            found[table] = {
                "written": [m for m, _, latest in rows if latest],
                "left": [m for m, _, latest in rows if not latest],
                "final": {m: final for m, final, _ in rows},
            }
        found["data_as_of"] = conn.execute(
            "select array_agg(distinct data_as_of) from marts.fct_unit_month_scorecard"
        ).fetchone()[0]
        return found


def last_analyzed(url: str) -> dict[str, datetime | None]:
    """Each table of the marts and the staging schema: when it was last analyzed by a command (not autovacuum)."""
    with psycopg.connect(url) as conn:
        return dict(
            conn.execute(
                "select relname, last_analyze from pg_stat_user_tables where schemaname in ('staging', 'marts')"
            ).fetchall()
        )


@pytest.fixture(scope="module")
def nights(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(tmp_path_factory.mktemp("monthly"), warehouse_url, "simmonthly", START, FIRST, 8)
    found: dict = {}
    with Servers(sim):
        point_airflow_at(sim)
        run_night(FIRST)
        run_dbt("build", "--full-refresh", *NIGHT)
        # Within August (provisional), then the night that ends it, then two nights of September.
        for step, landed in (
            ("august", [date(2025, 8, 29)]),
            ("month_end", [date(2025, 8, 30), date(2025, 8, 31)]),
            ("september", [date(2025, 9, 1), date(2025, 9, 2)]),
        ):
            for night in landed:
                sim.advance(night)
                run_night(night)
            run_dbt("build", *NIGHT)
            found[step] = {"months": built_months(warehouse_url), "incremental": checksums(warehouse_url)}
            run_dbt("build", "--full-refresh", *NIGHT)
            found[step]["full_refresh"] = checksums(warehouse_url)
        # A dimension changes (a procedure renamed in the catalogue): every month is rebuilt.
        with psycopg.connect(warehouse_url, autocommit=True) as conn:
            conn.execute(
                "update raw.ref_procedures set procedure_name = procedure_name || ' (sửa đổi)'"
                " where procedure_code = (select min(procedure_code) from raw.ref_procedures)"
            )
        run_dbt("build", *NIGHT)
        found["dimension"] = {"months": built_months(warehouse_url), "incremental": checksums(warehouse_url)}
        run_dbt("build", "--full-refresh", *NIGHT)
        found["dimension"]["full_refresh"] = checksums(warehouse_url)
        # A night with nothing landed after the full refresh: which tables analyzed themselves.
        found["statistics"] = {"full_refresh": last_analyzed(warehouse_url)}
        run_dbt("build", *NIGHT)
        found["statistics"]["empty_night"] = last_analyzed(warehouse_url)
    return found


@pytest.mark.parametrize("step", ["august", "month_end", "september", "dimension"])
def test_an_incremental_build_equals_a_full_refresh(nights, step) -> None:
    found = nights[step]
    assert set(MONTHLY) <= set(found["incremental"])
    assert found["incremental"] == found["full_refresh"]


@pytest.mark.parametrize("step", ["august", "month_end", "september"])
def test_a_night_leaves_the_months_before_what_it_changed(nights, step) -> None:
    months = nights[step]["months"]["fct_unit_month_scorecard"]
    assert months["left"] and months["written"]
    assert max(months["left"]) < min(months["written"])  # one run of months, from the earliest changed
    assert months["left"][0] == START


def test_the_night_that_ends_a_month_rebuilds_it_final(nights) -> None:
    august, month_end = nights["august"]["months"], nights["month_end"]["months"]
    for table in MONTHLY:
        assert august[table]["final"][date(2025, 8, 1)] is False
        assert date(2025, 8, 1) in month_end[table]["written"]
        assert month_end[table]["final"][date(2025, 8, 1)] is True
    september = nights["september"]["months"]["fct_unit_month_scorecard"]
    assert (september["final"][date(2025, 8, 1)], september["final"][date(2025, 9, 1)]) == (True, False)
    # Every row, rebuilt or not, says where the data stands: the end of the last night landed.
    assert nights["september"]["months"]["data_as_of"] == [datetime(2025, 9, 2, 23, 59, 59)]


def test_a_dimension_change_rebuilds_every_month(nights) -> None:
    for table in MONTHLY:
        assert nights["dimension"]["months"][table]["left"] == []


def test_a_table_analyzes_itself_when_its_build_created_it_or_changed_much_of_it(nights) -> None:
    full_refresh, empty_night = nights["statistics"]["full_refresh"], nights["statistics"]["empty_night"]
    # A full refresh creates every table: each model's has statistics before the next model plans on it.
    manifest = json.loads((dbt_target() / "manifest.json").read_text())
    tables = {
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] in ("table", "incremental")
    }
    assert len(tables) > 20
    assert [table for table in sorted(tables) if full_refresh.get(table) is None] == []
    # The per-dossier chain changed nothing on a night with nothing landed: its statistics stand.
    for table in ("int_dossiers_deduplicated", "int_dossier_history", "int_dossier_lifecycle", "fct_dossiers"):
        assert empty_night[table] == full_refresh[table], table
    # A table rebuilt whole every night is a new table, analyzed again.
    assert empty_night["dim_unit"] > full_refresh["dim_unit"]
