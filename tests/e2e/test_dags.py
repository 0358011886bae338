"""DAG integrity: every DAG file imports cleanly, as the dag-processor would load it."""

from __future__ import annotations

from pathlib import Path

import pytest

from onestop.settings import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_file_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    files = {Path(dag.fileloc).name for dag in dagbag.dags.values()}
    assert files == {p.name for p in DAGS.glob("*.py")}


def test_nightly_dag_declaration(dagbag) -> None:
    dag = dagbag.get_dag("onestop_nightly")
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert "onestop" in dag.tags and dag.owner == "onestop-data-engineering" and dag.doc_md
    timetable = dag.timetable
    assert timetable.expression == "0 1 * * *" and str(timetable.timezone) == "Asia/Ho_Chi_Minh"
    assert dag.get_task("extract").pool == "onestop_sources"
    assert dag.get_task("summarize_night").trigger_rule == "all_done"
    assert dag.default_args["retry_exponential_backoff"] is True
