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


def test_the_night_builds_dbt_once_and_every_node_follows_that_build(dagbag) -> None:
    """One `dbt build` (the producer); every node's task comes after it, also when it failed, never without it."""
    dag = dagbag.get_dag("onestop_nightly")
    nodes = {task.task_id: task for task in dag.tasks if task.task_id.startswith("dbt.")}
    producer = nodes.pop("dbt.dbt_producer_watcher")
    assert producer.upstream_task_ids == {"transform_wanted"} and producer.pool == "onestop_transform"
    watchers = {task_id: task for task_id, task in nodes.items() if hasattr(task, "producer_task_id")}
    assert len(watchers) > 40 and {task.producer_task_id for task in watchers.values()} == {producer.task_id}
    roots = {task_id for task_id, task in watchers.items() if not task.upstream_task_ids & nodes.keys()}
    assert {"dbt.dim_unit.run", "dbt.status_map_seed"} <= roots
    assert all(watchers[r].upstream_task_ids == {producer.task_id} for r in roots)
    assert all(watchers[r].trigger_rule == "none_skipped" for r in roots)
    # A failed node fails its own task and no other: its dependants wait on it, not on the build.
    assert dag.get_task("dbt.fct_dossiers.run").upstream_task_ids >= {"dbt.int_dossier_lifecycle.test"}
