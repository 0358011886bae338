"""A province-month reported: the simulated province over May-July 2025, its initial load through the nightly DAG
(dbt, gate), the monthly report DAG for July, then a night into August with a system down and August's report.
Built once per session (conftest's `reported`): the report tests and the privacy tests read it."""

from __future__ import annotations

import os
from datetime import date, datetime, time

from onestop.night import LOCAL_TZ
from onestop.report.build import build
from simulator import truth
from simulator.faults import Fault
from simulator.server import Servers
from tests.e2e.helpers.nightly import DAGS, point_airflow_at, province_with_empty_landing, run_night

JULY = date(2025, 7, 1)
LAST_NIGHT = date(2025, 7, 31)
NEXT = date(2025, 8, 1)
DOWN = "tayhoa"  # onegate_db: its login is refused
FIRST = date(2025, 5, 1)


def monthly_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "onestop_monthly_report.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("onestop_monthly_report")


def build_reported(folder, warehouse_url: str) -> dict:
    os.environ["ONESTOP_REPORTS_DIR"] = str(folder / "reports")
    sim = province_with_empty_landing(folder, warehouse_url, "simreport", FIRST, LAST_NIGHT, 4242)
    with Servers(sim):
        point_airflow_at(sim)
        run_night(LAST_NIGHT, with_dbt=True)
        run = monthly_dag().test(logical_date=datetime(2025, 8, 1, 6, 0, tzinfo=LOCAL_TZ))
        states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
        oracle = truth.compute(sim.world, [JULY], datetime.combine(LAST_NIGHT, time(23, 59, 59)), FIRST)
        july = {"states": states, "oracle": oracle, "folder": folder / "reports" / "2025-07"}
        sim.plan.add(Fault(DOWN, NEXT, "down"))
        sim.advance(NEXT)
        run_night(NEXT, with_dbt=True)
        august = build(NEXT, "as_was")
    return {"sim": sim, "july": july, "august": august}
