"""`make demo`: the main job on the embedded default, phase by phase, with a summary at the end.

Start the warehouse, bootstrap it, generate the demo province up to yesterday (its nine simulated systems of
three kinds), run the real nightly DAG through Airflow for the initial load and then for one ordinary night
(extraction, dbt through Cosmos, the quality gate), run the monthly report DAG for the last complete month, and
say what landed and where to look. A second run reuses the warehouse, the province and Airflow's database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import psycopg

from onestop import local, warehouse
from onestop.local.airflow_env import apply_airflow_environment
from onestop.night import LOCAL_TZ, Night, previous_month
from onestop.settings import settings
from onestop.warehouse import bootstrap


def phase(title: str, action: Callable[[], list[str]]) -> list[str]:
    started = time.monotonic()
    print(f"==> {title}", flush=True)
    lines = action()
    for line in lines:
        print(f"    {line}", flush=True)
    print(f"    ({time.monotonic() - started:.1f} s)", flush=True)
    return lines


def _start_warehouse() -> list[str]:
    if local.is_external():
        return ["using the warehouse named by ONESTOP_WAREHOUSE_URL"]
    url = local.use_embedded()
    return [f"embedded PostgreSQL on {url.split('@')[-1]}"]


def _migrate_airflow() -> list[str]:
    from onestop.orchestration import init_airflow

    pools = init_airflow()[1:]
    return [
        f"metadata in database {warehouse.database_name(os.environ['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN'])}",
        *pools,
    ]


def _province(today: date):
    from simulator.simulation import Simulation

    sim = Simulation()
    initial = today - timedelta(days=2)
    lines = []
    if sim.state is None or sim.state.preset != "demo":
        start = Night(initial).month
        for _ in range(4):  # four months of history before the month of the initial load
            start = previous_month(start)
        sim.generate(start, initial, preset="demo")
        lines.append(f"generated the demo province from {start} to {initial} ({sim.folder})")
    else:
        lines.append(f"reusing the demo province ({sim.folder}), standing at {sim.current}")
    kinds = {}
    for system in sim.world.systems:
        kinds.setdefault(system.kind, []).append(system.id)
    lines += [f"{kind}: {', '.join(ids)}" for kind, ids in kinds.items()]
    return sim, lines


def _run_night(night: date, full_refresh: bool = False) -> list[str]:
    from airflow.dag_processing.dagbag import DagBag

    from onestop.settings import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "onestop_nightly.py"))
    if bag.import_errors:
        raise RuntimeError(f"the nightly DAG does not import: {bag.import_errors}")
    # The run that extracts a night starts at 01:00 local the next morning.
    logical = datetime.combine(night + timedelta(days=1), datetime.min.time().replace(hour=1), tzinfo=LOCAL_TZ)
    run = bag.get_dag("onestop_nightly").test(logical_date=logical, run_conf={"full_refresh": full_refresh})
    tis = run.get_task_instances()
    failed = [ti.rendered_map_index or ti.task_id for ti in tis if str(ti.state) != "success"]
    dbt_tasks = sum(1 for ti in tis if ti.task_id.startswith("dbt."))
    lines = [
        f"run {run.run_id}: {run.state}",
        f"{sum(1 for ti in tis if ti.task_id == 'extract')} extract tasks, {dbt_tasks} dbt tasks (Cosmos)"
        + (f"; not successful: {', '.join(map(str, failed))}" if failed else ", all successful"),
    ]
    with psycopg.connect(warehouse.warehouse_url()) as conn:
        rows = conn.execute(
            "select system_id, rows_read, rows_landed, rows_quarantined, status from audit.extraction_runs"
            " where interval_start = %s and run_id in (select max(run_id) from audit.extraction_runs"
            " where interval_start = %s group by system_id) order by system_id",
            (night, night),
        ).fetchall()
    for system_id, read, landed, quarantined, status in rows:
        lines.append(f"  {system_id:<10} {status:<8} read {read:>7}  landed {landed:>7}  quarantined {quarantined}")
    gate = next((ti for ti in tis if ti.task_id == "quality_gate"), None)
    if gate is not None:
        lines.append(f"quality gate: {'passed' if str(gate.state) == 'success' else str(gate.state)}")
    return lines


def _monthly_report(today: date) -> list[str]:
    """The last complete month's report, both views, as the monthly DAG's `build_report` tasks make it (the DAG
    itself, with its wait for the gate, is exercised by the tests)."""
    from onestop.report.build import build

    month = previous_month(Night(today).month)
    lines = []
    for view in ("as_was", "as_is"):
        report = build(month, view)
        lines += [
            f"{month:%m/%Y} {view}: {report.units} units, data {report.verdict}",
            f"  {report.workbook}",
            f"  {report.html}",
        ]
    return lines


def _summary() -> list[str]:
    with psycopg.connect(warehouse.warehouse_url()) as conn:
        dossiers = conn.execute("select count(distinct record_key) from raw.dossier_records").fetchone()[0]
        versions = conn.execute("select count(*) from raw.dossier_records").fetchone()[0]
        feedback = conn.execute("select count(distinct record_key) from raw.feedback_records").fetchone()[0]
        systems = conn.execute("select count(distinct system_id) from raw.dossier_records").fetchone()[0]
        nights = conn.execute("select count(*), count(*) filter (where complete) from audit.nights").fetchone()
        month = conn.execute(
            "select (date_trunc('month', observed_at) - interval '1 month')::date from staging.int_observation"
        ).fetchone()[0]
        ranked = conn.execute(
            "select s.rank_in_level, u.unit_name, round(s.subtotal, 2), s.max_points"
            " from marts.fct_unit_month_scorecard s join marts.dim_unit u using (unit_code)"
            " where s.view = 'as_was' and s.month_start = %s and s.level = 'commune' order by s.rank_in_level",
            (month,),
        ).fetchall()
        completeness = conn.execute(
            "select count(*) filter (where complete), count(*) from marts.data_completeness"
            " where view = 'as_was' and month_start = %s",
            (month,),
        ).fetchone()
    lines = [
        f"systems loaded: {systems}",
        f"dossiers: {dossiers} ({versions} versions landed in raw)",
        f"feedback items: {feedback}",
        f"nights recorded: {nights[0]} ({nights[1]} complete)",
        f"gate verdict {month:%m/%Y}: {completeness[0]} of {completeness[1]} unit-months complete",
    ]
    if ranked:
        lines.append(f"scorecard {month:%m/%Y}, communes and wards, top and bottom of {len(ranked)}:")
        for row in [*ranked[:3], None, *ranked[-3:]]:
            lines.append("   ..." if row is None else f"   {row[0]:>3}. {row[1]:<24} {row[2]:>6} / {row[3]}")
    return lines


def run_demo() -> int:
    started = time.monotonic()
    today = datetime.now(LOCAL_TZ).date()
    phase("warehouse", _start_warehouse)
    phase("bootstrap (sql/)", bootstrap.init)
    apply_airflow_environment()
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # the phases say what happened
    os.environ.setdefault("ONESTOP_TASK_RETRIES", "1")
    os.environ.setdefault("ONESTOP_RETRY_DELAY_SECONDS", "5")
    phase("Airflow metadata", _migrate_airflow)
    holder = {}

    def province() -> list[str]:
        holder["sim"], lines = _province(today)
        return lines

    phase("demo province (simulated systems)", province)
    sim = holder["sim"]
    from simulator.server import Servers

    with Servers(sim):
        os.environ["ONESTOP_REGISTRY"] = str(sim.registry_path)
        os.environ.update(sim.connections())
        initial = today - timedelta(days=2)
        # The first night rebuilds the marts whole: a demo state kept from an older version of the models is
        # brought up to date (the ordinary night after it is incremental).
        phase(f"nightly DAG, initial load (night of {initial})", lambda: _run_night(initial, full_refresh=True))
        yesterday = today - timedelta(days=1)
        if sim.current is None or sim.current < yesterday:
            sim.advance(yesterday)
        phase(f"nightly DAG, an ordinary night ({yesterday})", lambda: _run_night(yesterday))
    phase("monthly report (last complete month)", lambda: _monthly_report(today))
    phase("summary", _summary)
    from onestop.quality.gate import data_docs_index

    print(f"\ndemo finished in {time.monotonic() - started:.0f} s")
    print(f"warehouse:  {warehouse.warehouse_url().split('@')[-1]}   (BI tools: onestop warehouse url --role bi)")
    print(f"Data Docs:  {data_docs_index()}")
    print(f"Airflow UI: make ui   (then http://127.0.0.1:{settings().airflow_port})")
    return 0
