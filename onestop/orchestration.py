"""Airflow's side of a deployment that onestop owns: its metadata database migrated and the pools the DAGs use
(`onestop airflow init`, run by compose's one-shot init, the demo and the tests), and one night (or one month's
report) run through the real DAG by hand (`onestop night`, the demo)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date, datetime, time

import psycopg

from onestop.night import LOCAL_TZ, LOCAL_TZ_NAME, Night, next_month
from onestop.settings import POOLS, PROJECT_ROOT

# What the night's data tests read (dbt_project/macros/tests_scope.sql), as the nightly DAG's dbt task group
# renders it per run: the rows the build wrote, but whole tables on the run of Sunday morning (local), on a full
# refresh, or when the run asks (`whole_table_tests`).
TESTS_SCOPE = (
    "{{ 'all' if params.full_refresh or params.whole_table_tests"
    f" or logical_date.in_timezone('{LOCAL_TZ_NAME}').isoweekday() == 7 else 'night' }}}}"
)


def _airflow(*args: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", *args], capture_output=True, text=True, env=env or dict(os.environ)
    )
    if result.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def init_airflow(env: dict[str, str] | None = None) -> list[str]:
    """Migrate Airflow's metadata database and set every pool from `onestop.settings.POOLS` (idempotent)."""
    _airflow("db", "migrate", env=env)
    for name, (slots, description) in POOLS.items():
        _airflow("pools", "set", name, str(slots), description, env=env)
    slots = ", ".join(f"{name} ({n} slot{'s' if n != 1 else ''})" for name, (n, _) in POOLS.items())
    return ["metadata database migrated", f"pools: {slots}"]


def run_dag(dag_id: str, logical: datetime, conf: dict | None = None, mark_success_pattern: str | None = None):
    """Run a DAG of `dags/` in this process (Airflow's `dag.test`: every task, one at a time, against the
    configured warehouse, registry and connections); return the run and its task instances. Tasks whose id fully
    matches `mark_success_pattern` are marked successful instead of run (tests).

    `dag.test` starts the run at its logical date: a night run today for a past date would show in the UI as
    lasting months. The run's start is set to when its first task started, so its duration is the real one."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / f"{dag_id}.py"))
    if bag.import_errors:
        raise RuntimeError(f"the DAG {dag_id} does not import: {bag.import_errors}")
    run = bag.get_dag(dag_id).test(logical_date=logical, run_conf=conf or {}, mark_success_pattern=mark_success_pattern)
    tis = run.get_task_instances()
    started = [ti.start_date for ti in tis if ti.start_date]
    if started:
        with create_session() as session:
            stored = session.get(DagRun, run.id)
            stored.start_date = min(started)
    return run, tis


def nightly_logical_date(night: Night) -> datetime:
    """The nightly DAG's run that extracts `night` starts at 01:00 local the next morning."""
    return datetime.combine(night.next().day, time(1, 0), tzinfo=LOCAL_TZ)


def not_successful(tis) -> list[str]:
    """The tasks of a run that neither succeeded nor were skipped (a mapped one by its rendered index)."""
    return [str(ti.rendered_map_index or ti.task_id) for ti in tis if str(ti.state) not in ("success", "skipped")]


def run_night(night: Night, conf: dict | None = None) -> tuple[bool, list[str]]:
    """Run the nightly DAG for `night`; return whether every task succeeded, and a summary: per system, records
    read, landed (new versions), duplicates (versions already landed: each window re-reads a lookback) and
    quarantined."""
    from onestop.warehouse.credentials import login_url

    run, tis = run_dag("onestop_nightly", nightly_logical_date(night), conf)
    failed = not_successful(tis)
    # Cosmos' own bookkeeping task (it absorbs a skipped build) is not a dbt node.
    dbt_tasks = sum(
        1
        for ti in tis
        if ti.task_id.startswith("dbt.") and not ti.task_id.endswith("_watcher_done") and str(ti.state) != "skipped"
    )
    lines = [
        f"run {run.run_id}: {run.state}",
        f"{sum(1 for ti in tis if ti.task_id == 'extract')} extract tasks, {dbt_tasks} dbt tasks (Cosmos)"
        + (f"; not successful: {', '.join(failed)}" if failed else ", all successful"),
    ]
    with psycopg.connect(login_url("onestop_loader")) as conn:
        rows = conn.execute(
            "select system_id, rows_read, rows_landed, duplicates_dropped, rows_quarantined, status, suspicion"
            " from audit.extraction_runs"
            " where interval_start = %s and run_id in (select max(run_id) from audit.extraction_runs"
            " where interval_start = %s group by system_id) order by system_id",
            (night.start, night.start),
        ).fetchall()
    if rows:
        lines.append(
            "  per system: read = landed (new versions) + duplicates (already in raw: each window re-reads a"
            " lookback) + quarantined"
        )
    for system_id, read, landed, duplicates, quarantined, status, suspicion in rows:
        lines.append(
            f"  {system_id:<10} {status:<8} read {read:>7}  landed {landed:>7}  duplicates {duplicates:>6}"
            f"  quarantined {quarantined}" + (f"  SUSPICIOUS ({suspicion.split(':', 1)[0]})" if suspicion else "")
        )
    gate = next((ti for ti in tis if ti.task_id == "quality_gate"), None)
    if gate is not None:
        lines.append(f"quality gate: {'passed' if str(gate.state) == 'success' else str(gate.state)}")
    return not failed, lines


def run_monthly_report(month: date) -> tuple[bool, list[str]]:
    """Run the monthly report's DAG for `month` as its schedule would (06:00 local on the 1st of the next month);
    return whether every task succeeded, and what each build made."""
    from onestop.warehouse.credentials import login_url

    run, tis = run_dag("onestop_monthly_report", datetime.combine(next_month(month), time(6, 0), tzinfo=LOCAL_TZ))
    failed = not_successful(tis)
    lines = [f"run {run.run_id}: {run.state}" + (f"; not successful: {', '.join(failed)}" if failed else "")]
    with psycopg.connect(login_url("onestop_transformer")) as conn:
        made = conn.execute(
            "select view, gate_verdict, files from audit.report_runs where report_month = %s order by view desc",
            (month,),
        ).fetchall()
    for view, verdict, files in made:
        lines += [f"{month:%m/%Y} {view}: data {verdict}", *(f"  {path}" for path in files.values() if path)]
    return not failed, lines


class _NodesThatAreNotTasks(logging.Filter):
    """Cosmos warns, at every parse of the nightly DAG, of each dbt node it makes no task for. The exposures (the
    report, the dashboards) and the on-run-end hook are not tasks by design: those warnings say nothing."""

    KINDS = ("<DbtResourceType.EXPOSURE>", "<DbtResourceType.OPERATION>")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Unavailable conversion function") and any(k in message for k in self.KINDS))


def quiet_cosmos_rendering() -> None:
    """Keep Cosmos' rendering warnings to the ones that mean something (called where the DAG renders dbt)."""
    logger = logging.getLogger("cosmos.airflow.graph")
    if not any(isinstance(f, _NodesThatAreNotTasks) for f in logger.filters):
        logger.addFilter(_NodesThatAreNotTasks())
