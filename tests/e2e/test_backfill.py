"""`airflow backfill create` through the real scheduler (api-server, scheduler, dag-processor, LocalExecutor)
over nights already loaded: it changes nothing in the warehouse."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest

from onestop.local.services import AirflowServices
from onestop.warehouse import airflow_db_url
from simulator.server import Servers
from tests.e2e.helpers.airflow_cli import airflow, backfill_landing
from tests.e2e.helpers.nightly import point_airflow_at, province_with_empty_landing, raw_fingerprint, run_night


@pytest.fixture(scope="module")
def loaded(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(
        tmp_path_factory.mktemp("backfill"), warehouse_url, "simbackfill", date(2025, 8, 1), date(2025, 8, 20), 21
    )
    with Servers(sim):
        point_airflow_at(sim)
        for night in (date(2025, 8, 20), date(2025, 8, 21), date(2025, 8, 22)):
            sim.advance(night)
            run_night(night)
        yield sim


def test_backfill_through_the_scheduler_changes_nothing(loaded, warehouse_url, tmp_path) -> None:
    before = raw_fingerprint(warehouse_url)
    with AirflowServices(log_dir=tmp_path) as services:
        # This test is about the backfill: the scheduler's own next run (today's night) is put out of the way.
        backfill_landing(
            services, warehouse_url, "2025-08-22T01:00:00+07:00", "2025-08-23T01:00:00+07:00", max_active_runs="1"
        )
        deadline, states = time.monotonic() + 600, []
        with psycopg.connect(airflow_db_url(warehouse_url), autocommit=True) as conn:
            while time.monotonic() < deadline:
                states = conn.execute(
                    "select run_id, state from dag_run where dag_id = 'onestop_nightly'"
                    " and run_type = 'backfill' order by logical_date"
                ).fetchall()
                if len(states) == 2 and all(s in ("success", "failed") for _, s in states):
                    break
                time.sleep(3)
            tasks = conn.execute(
                "select count(*) from task_instance ti join dag_run r on r.run_id = ti.run_id"
                " where r.run_type = 'backfill' and ti.task_id = 'extract' and ti.state = 'success'"
            ).fetchone()[0]
        airflow(services, "dags", "pause", "onestop_nightly")
    assert [s for _, s in states] == ["success"] * 2, states
    assert tasks == 18  # nine systems, two nights, each a mapped task instance run by the executor
    assert raw_fingerprint(warehouse_url) == before
