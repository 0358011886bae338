"""The warehouse equals the ground truth: the demo province over a quarter that crosses 1 July 2025, landed by the
real nightly DAG, built by dbt, compared unit-month by unit-month (numerators and denominators, as was and as is)
with the simulator's oracle."""

from __future__ import annotations

from datetime import date, datetime, time

import psycopg
import pytest

from onestop.simulate import truth
from onestop.simulate.server import Servers
from tests.nightly_helpers import point_airflow_at, province_with_empty_landing, run_night

MONTHS = [date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)]
NIGHT = date(2025, 9, 3)
CODES = {"2.1": "2_1", "3.3": "3_3", "3.6": "3_6", "4.1": "4_1", "4.2": "4_2", "4.3": "4_3", "5.2": "5_2"}


@pytest.fixture(scope="module")
def built(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(
        tmp_path_factory.mktemp("marts"), warehouse_url, "simmarts", date(2025, 3, 1), NIGHT, 1660
    )
    with Servers(sim):
        point_airflow_at(sim)
        # The whole night through the real DAG: extraction, then every dbt model built with its tests (Cosmos).
        _, states = run_night(NIGHT, with_dbt=True)
        assert states["extract"] == ["success"] * 9
        dbt_tasks = {task: s for task, s in states.items() if task.startswith("dbt.")}
        assert len(dbt_tasks) > 20 and all(s == ["success"] for s in dbt_tasks.values()), dbt_tasks
    observed = datetime.combine(NIGHT, time(23, 59, 59))
    return sim, truth.compute(sim.world, MONTHS, observed, date(2025, 3, 1))


def marts(url: str) -> dict:
    with psycopg.connect(url) as conn:
        conn.execute("set role onestop_bi")
        rows = conn.execute("select * from marts.fct_unit_month_scorecard where month_start = any(%s)", (MONTHS,))
        names = [c.name for c in rows.description]
        return {
            (r["view"], r["month_start"], r["unit_code"]): r
            for r in (dict(zip(names, row, strict=True)) for row in rows)
        }


@pytest.mark.parametrize("view", ["as_was", "as_is"])
def test_every_unit_month_equals_the_ground_truth(built, warehouse_url, view) -> None:
    sim, oracle = built
    found = marts(warehouse_url)
    mismatches = []
    for month in MONTHS:
        expected = oracle[(month, view)]
        units = {unit for (v, m, unit) in found if v == view and m == month}
        assert units == set(expected.cards), (view, month)
        for unit, card in expected.cards.items():
            row = found[(view, month, unit)]
            for code, column in CODES.items():
                got = (row[f"n_{column}"], row[f"d_{column}"])
                want = (card.numerator[code], card.denominator[code])
                if got != want:
                    mismatches.append((view, month, unit, code, got, want))
            if float(row["subtotal"]) != pytest.approx(float(card.subtotal), abs=1e-9):
                mismatches.append((view, month, unit, "subtotal", float(row["subtotal"]), float(card.subtotal)))
            if row["max_points"] != card.maximum or row["rank_in_level"] != card.rank:
                mismatches.append(
                    (view, month, unit, "rank", (row["max_points"], row["rank_in_level"]), (card.maximum, card.rank))
                )
    assert not mismatches, mismatches[:20]
