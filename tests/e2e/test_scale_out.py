"""The distributed topology of docker-compose.yml, as plain processes: api-server, scheduler, dag-processor and two
Celery workers with Redis (Debian's redis-server) as the broker, on the embedded warehouse. A real nightly run
completes with its mapped extraction tasks spread across both workers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from datetime import date

import psycopg
import pytest

from onestop.local.services import AirflowServices
from onestop.warehouse import airflow_db_url
from simulator.server import Servers
from tests.e2e.helpers.airflow_cli import WORKER_NAME_VAR, airflow, backfill_landing
from tests.e2e.helpers.net import free_port
from tests.e2e.helpers.nightly import point_airflow_at, province_with_empty_landing

WORKERS = ("onestop-w1", "onestop-w2")
RUN_ID = "backfill__2025-09-21T01:00:00+07:00"  # this test's run (the session's Airflow database has others)


@pytest.fixture
def redis(tmp_path):
    server = shutil.which("redis-server")
    assert server, "Debian's redis-server is missing: `make test` installs it (make system-packages)"
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def task_errors() -> str:
    from onestop.settings import state_dir

    logs = sorted((state_dir() / "airflow" / "logs").rglob("*.log"))
    lines = [line for log in logs for line in log.read_text(errors="replace").splitlines() if "rror" in line]
    return "\n".join(lines[:20])


def wait_for_backfill(warehouse_url: str) -> tuple[str | None, dict[str, int]]:
    deadline, state = time.monotonic() + 600, None
    with psycopg.connect(airflow_db_url(warehouse_url), autocommit=True) as conn:
        while time.monotonic() < deadline and state not in ("success", "failed"):
            time.sleep(3)
            row = conn.execute(
                "select state from dag_run where dag_id = 'onestop_nightly' and run_id = %s", (RUN_ID,)
            ).fetchone()
            state = row[0] if row else None
        hosts = conn.execute(
            "select ti.hostname, count(*) from task_instance ti join dag_run r on r.run_id = ti.run_id"
            " where r.run_id = %s and ti.task_id = 'extract' and ti.state = 'success' group by 1",
            (RUN_ID,),
        ).fetchall()
    return state, dict(hosts)


def test_a_night_runs_across_two_celery_workers(airflow_db, warehouse_url, redis, tmp_path) -> None:
    sim = province_with_empty_landing(
        tmp_path / "sim", warehouse_url, "simscale", date(2025, 9, 1), date(2025, 9, 20), 5
    )
    celery = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": redis,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
    }
    celery["AIRFLOW__CORE__HOSTNAME_CALLABLE"] = "tests.e2e.helpers.airflow_cli.worker_hostname"
    with Servers(sim):
        point_airflow_at(sim)  # before the workers take the environment: they read the registry from it
        workers = [
            AirflowServices(
                components=(f"celery worker --celery-hostname {name}@%h --concurrency 2",),
                # Two workers on one machine: each its own log-server port and name.
                extra_env={
                    **celery,
                    WORKER_NAME_VAR: name,
                    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                },
                log_dir=tmp_path / name,
            )
            for name in WORKERS
        ]
        with AirflowServices(extra_env=celery, log_dir=tmp_path / "logs") as services:
            for worker in workers:
                worker.start()
            try:
                backfill_landing(services, warehouse_url, "2025-09-21T01:00:00+07:00", "2025-09-21T01:00:00+07:00")
                state, hosts = wait_for_backfill(warehouse_url)
                airflow(services, "dags", "pause", "onestop_nightly")
            finally:
                for worker in workers:
                    worker.stop()
    assert state == "success", task_errors()
    assert sum(hosts.values()) == 9 and set(hosts) == set(WORKERS), hosts
    with psycopg.connect(warehouse_url) as conn:
        delivered = conn.execute("select delivered from audit.nights where interval_start = '2025-09-20'").fetchone()[0]
    assert len(delivered) == 9
