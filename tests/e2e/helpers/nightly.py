"""Running the real nightly DAG with `dag.test()` against a simulated province."""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import date
from pathlib import Path

from onestop.local.output import redirected_output
from onestop.local.reset import empty_warehouse
from onestop.night import Night
from onestop.settings import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"


def point_airflow_at(sim) -> None:
    """The registry and the systems' connections, as a deployment provides them: through the environment."""
    os.environ["ONESTOP_REGISTRY"] = str(sim.registry_path)
    os.environ.update(sim.connections())


def run_night(night: date, with_dbt: bool = False, conf: dict | None = None, mark_success: str | None = None):
    """Run the DAG for `night` (its run starts at 01:00 the next local morning); return {task: [states]}.
    Without `with_dbt` the dbt tasks and the gate are marked successful instead of run (tests about extraction);
    `mark_success` marks every task whose id fully matches it successful instead."""
    from onestop.orchestration import nightly_logical_date, run_dag

    logical = nightly_logical_date(Night(night))
    run, tis = run_dag(
        "onestop_nightly",
        logical,
        conf,
        mark_success_pattern=mark_success or (None if with_dbt else r"dbt\..*|quality_gate|publish"),
    )
    states: dict[str, list[str]] = {}
    for ti in tis:
        states.setdefault(ti.task_id, []).append(str(ti.state))
    return run, states


def province_with_empty_landing(folder, url: str, name: str, start: date, end: date, seed: int):
    """A small simulated province generated up to `end`, and a landing emptied for it."""
    from simulator.simulation import Simulation

    sim = Simulation(folder, url, name=name)
    sim.generate(start, end, seed=seed, preset="small")
    empty_warehouse(url)
    return sim


@contextlib.contextmanager
def captured_output(path: Path):
    """What `dag.test` shows of its tasks while the block runs, copied into `path`: their log records (through
    the root logger, at INFO) and whatever they print (stdout and stderr, the objects and the descriptors)."""
    import logging

    root = logging.getLogger()
    saved_level = root.level
    with redirected_output(path, mode="w"):
        handler = logging.StreamHandler(sys.stdout)  # the file, while the block runs
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.INFO, logging.INFO))
        try:
            yield path
        finally:
            root.removeHandler(handler)
            root.setLevel(saved_level)


def no_version_twice(url: str) -> None:
    """No record version (system, key, change time, checksum) landed twice in raw."""
    import psycopg

    with psycopg.connect(url) as conn:
        for table in ("raw.dossier_records", "raw.feedback_records"):
            twice = conn.execute(
                f"select count(*) from (select 1 from {table} group by system_id, record_key,"
                " changed_at, checksum having count(*) > 1) t"
            ).fetchone()[0]
            assert twice == 0, table


def raw_fingerprint(url: str) -> list[tuple]:
    """Every landed version and quarantined row, in order: what a re-run must leave unchanged."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = []
        for table in ("raw.dossier_records", "raw.feedback_records"):
            rows += conn.execute(
                f"select '{table}', system_id, record_key, changed_at, checksum from {table} order by 2, 3, 4, 5"
            ).fetchall()
        rows += conn.execute(
            "select 'quarantine', system_id, interval_start, position, reason from audit.quarantine order by 2, 3, 4"
        ).fetchall()
    return rows
