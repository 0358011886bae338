"""The warehouse equals the ground truth: the demo province over a quarter that crosses 1 July 2025, landed by the
real nightly DAG, built by dbt, compared unit-month by unit-month (numerators and denominators, as was and as is)
with the simulator's oracle. Then one more night into September builds incrementally, equals the truth again,
rebuilds only part of the dossiers, and a full refresh through the DAG leaves every marts table identical."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import psycopg
import pytest

from onestop.settings import PROJECT_ROOT
from simulator import truth
from simulator.server import Servers
from tests.e2e.helpers.marts import assert_equal_to_truth, checksums, keys, marts
from tests.e2e.helpers.nightly import point_airflow_at, province_with_empty_landing, run_night

MONTHS = [date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)]
NIGHT = date(2025, 8, 31)
NEXT_NIGHT = date(2025, 9, 1)


@pytest.fixture(scope="module")
def built(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(
        tmp_path_factory.mktemp("marts"), warehouse_url, "simmarts", date(2025, 3, 1), NIGHT, 1660
    )
    with Servers(sim):
        point_airflow_at(sim)
        # The whole night through the real DAG: extraction, then every dbt model built with its tests (Cosmos).
        night_through_dbt(NIGHT)
    observed = datetime.combine(NIGHT, time(23, 59, 59))
    return sim, truth.compute(sim.world, MONTHS, observed, date(2025, 3, 1)), marts(warehouse_url, MONTHS)


@pytest.fixture(scope="module")
def next_night(built, warehouse_url):
    """The following night, built incrementally on top of the first; then a full refresh of the same night."""
    sim = built[0]
    sim.advance(NEXT_NIGHT)
    with Servers(sim):
        night_through_dbt(NEXT_NIGHT)
        incremental = checksums(warehouse_url), stamps(warehouse_url), marts(warehouse_url, [*MONTHS, SEPTEMBER])
        after_incremental = keys(warehouse_url)
        night_through_dbt(NEXT_NIGHT, conf={"full_refresh": True})
        refreshed = checksums(warehouse_url), stamps(warehouse_url)
    observed = datetime.combine(NEXT_NIGHT, time(23, 59, 59))
    oracle = truth.compute(sim.world, [*MONTHS, SEPTEMBER], observed, date(2025, 3, 1))
    return oracle, incremental, refreshed, after_incremental


SEPTEMBER = date(2025, 9, 1)


def night_through_dbt(night: date, conf: dict | None = None) -> None:
    _, states = run_night(night, with_dbt=True, conf=conf)
    assert states["extract"] == ["success"] * 9
    dbt_tasks = {task: s for task, s in states.items() if task.startswith("dbt.")}
    assert len(dbt_tasks) > 20 and all(s == ["success"] for s in dbt_tasks.values()), dbt_tasks


def test_every_mart_has_its_keys_in_postgresql_also_after_an_incremental_night(next_night) -> None:
    """Primary keys on every table, foreign keys from the facts to the dimensions as the contracts declare them;
    a night that rebuilt the dimensions (dropping the keys that pointed at them) put the facts' keys back."""
    found = next_night[3]
    manifest = json.loads((PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    declared: dict[str, set[tuple]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["config"]["contract"]["enforced"]:
            continue
        table = f"marts.{node['alias']}"
        for constraint in node["constraints"]:
            columns = tuple(sorted(constraint["columns"]))
            if constraint["type"] == "primary_key":
                declared.setdefault(table, set()).add(("pk", columns))
            elif constraint["type"] == "foreign_key":
                target = constraint["to"].replace('"', "").split(".")[-1].removesuffix("')").removeprefix("ref('")
                declared.setdefault(table, set()).add(("fk", columns, f"marts.{target}"))
    assert all(any(key[0] == "pk" for key in table_keys) for table_keys in found.values()), found
    assert declared == {table: table_keys for table, table_keys in found.items() if table_keys}
    assert ("fk", ("unit_code",), "marts.dim_unit") in found["marts.fct_dossiers"]
    assert sum(key[0] == "fk" for table_keys in found.values() for key in table_keys) >= 15


def stamps(url: str) -> dict[str, int]:
    """How many dossiers the newest build stamped, against all of them."""
    with psycopg.connect(url) as conn:
        newest, total = conn.execute(
            "select count(*) filter (where refreshed_at = (select max(refreshed_at) from marts.fct_dossiers)),"
            " count(*) from marts.fct_dossiers"
        ).fetchone()
    return {"newest": newest, "total": total}


@pytest.mark.parametrize("view", ["as_was", "as_is"])
def test_every_unit_month_equals_the_ground_truth(built, view) -> None:
    _, oracle, found = built
    assert_equal_to_truth(oracle, found, view, MONTHS)


def test_every_rule_of_metrics_md_is_exercised_in_every_kind(built, warehouse_url) -> None:
    """The province holds the cases the rules are about, and the marts found exactly the simulator's: dossiers
    handed over without a recorded finish (ended at the hand-over) and withdrawals the source's history moved on
    from, in each kind; units whose system cannot report 4.3; the gate's warning on the moved-on withdrawals."""
    sim = built[0]
    observed = datetime.combine(NIGHT, time(23, 59, 59))
    expected: dict[str, list[int]] = {}
    for system in sim.world.systems:
        counts = expected.setdefault(system.kind, [0, 0])
        for d in sim.world.dossiers(system.id, date(2025, 3, 1), NIGHT):
            statuses = [s.status for s in d.steps_until(observed)]
            counts[0] += 10 in statuses and 9 not in statuses
            counts[1] += 7 in statuses and statuses[-1] != 7
    with psycopg.connect(warehouse_url) as conn:
        found = {
            kind: [handed, moved_on]
            for kind, handed, moved_on in conn.execute(
                "select kind, count(*) filter (where end_status = 10),"
                " count(*) filter (where is_history_after_withdrawal) from marts.fct_dossiers group by kind"
            )
        }
        unreported = conn.execute(
            "select count(*) filter (where not is_reported_4_3 and n_4_3 is null and score_4_3 is null),"
            " count(*) filter (where not is_reported_4_3 and n_4_3 is not null) from marts.fct_unit_month_scorecard"
        ).fetchone()
        warned = conn.execute(
            "select bool_or(not success), max(severity) from audit.quality_results"
            " where expectation = 'no_history_after_withdrawal'"
        ).fetchone()
    assert found == expected, (found, expected)
    assert all(handed > 0 and moved_on > 0 for handed, moved_on in expected.values()), expected
    assert unreported[0] > 0 and unreported[1] == 0, unreported
    assert warned == (True, "warning"), warned


@pytest.mark.parametrize("view", ["as_was", "as_is"])
def test_the_next_night_built_incrementally_equals_the_ground_truth(next_night, view) -> None:
    oracle, (_, _, found), _, _ = next_night
    assert_equal_to_truth(oracle, found, view, [*MONTHS, SEPTEMBER])


def test_the_incremental_night_rebuilt_only_the_dossiers_that_moved(next_night) -> None:
    _, (_, incremental, _), (_, refreshed), _ = next_night
    assert refreshed["newest"] == refreshed["total"] > 1000
    assert 0 < incremental["newest"] < incremental["total"] / 3, incremental


def test_a_full_refresh_leaves_every_marts_table_identical(next_night) -> None:
    _, (incremental, _, _), (refreshed, _), _ = next_night
    assert {"fct_dossiers", "fct_dossier_month", "fct_unit_month_scorecard"} <= set(incremental)
    assert incremental == refreshed


def test_the_long_indicator_table_equals_the_wide_scorecard_value_for_value(built, warehouse_url) -> None:
    """`fct_unit_month_indicator` (one row per indicator) holds exactly the scorecard's wide columns."""
    import decimal

    import psycopg

    codes = ("2_1", "3_3", "3_6", "4_1", "4_2", "4_3", "5_2")
    with psycopg.connect(warehouse_url) as conn:
        wide = conn.execute(
            "select view, unit_code, month_start, "
            + ", ".join(f"n_{c}, d_{c}, rate_{c}, score_{c}, is_reported_{c}" for c in codes)
            + ", rate_5_4, score_5_4, subtotal, max_points, is_final from marts.fct_unit_month_scorecard"
        ).fetchall()
        long = conn.execute(
            "select view, unit_code, month_start, indicator_code, numerator, denominator, rate, score, is_reported,"
            " counts_in_subtotal, max_points, is_final from marts.fct_unit_month_indicator"
        ).fetchall()
    found = {(v, u, m, code): rest for v, u, m, code, *rest in long}
    assert len(found) == len(long) == 8 * len(wide) > 0
    for row in wide:
        key, values = row[:3], row[3:]
        for index, code in enumerate(codes):
            n, d, rate, score, reported = values[5 * index : 5 * index + 5]
            assert found[(*key, code.replace("_", "."))][:5] == [n, d, rate, score, reported], (key, code)
        rate_5_4, score_5_4, subtotal, max_points, is_final = values[35:]
        assert found[(*key, "5.4")][2:4] == [rate_5_4, score_5_4], key
        indicators = [found[(*key, code)] for code in ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "5.2", "5.4")]
        with decimal.localcontext(prec=80):  # exact, as PostgreSQL's numeric sum is
            assert sum(i[3] for i in indicators if i[5]) == subtotal, key
        assert sum(i[6] for i in indicators if i[5]) == max_points, key
        assert all(i[7] == is_final for i in indicators), key


def test_every_column_dbt_builds_in_marts_is_described_in_the_database(built, warehouse_url) -> None:
    """BI tools show the column comments (dbt's persist_docs): nothing in marts is left bare, and everything in
    marts is dbt's (the gate's verdicts and the report runs too, as views over audit)."""
    import psycopg

    with psycopg.connect(warehouse_url) as conn:
        bare = conn.execute(
            "select c.table_name, c.column_name from information_schema.columns as c"
            " left join pg_description as d on d.objoid = ('marts.' || c.table_name)::regclass"
            " and d.objsubid = c.ordinal_position where c.table_schema = 'marts'"
            " and coalesce(d.description, '') = ''"
        ).fetchall()
        relations = dict(
            conn.execute(
                "select c.relname, obj_description(c.oid) from pg_class as c join pg_namespace as n"
                " on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind in ('r', 'v')"
            ).fetchall()
        )
    manifest = json.loads((PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}
    assert bare == []
    assert set(relations) == models and all(relations.values())
    assert {"night_completeness", "data_completeness", "report_runs"} <= models
