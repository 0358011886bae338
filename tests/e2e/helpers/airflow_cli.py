"""Airflow's own CLI against services the tests started, and the hostname callable of the scale-out test's
workers."""

from __future__ import annotations

import os
import subprocess
import sys

from onestop.local.services import AirflowServices

WORKER_NAME_VAR = "ONESTOP_WORKER_NAME"


def airflow(services: AirflowServices, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", *args], env=services.env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def worker_hostname() -> str:
    """Airflow's hostname callable (`AIRFLOW__CORE__HOSTNAME_CALLABLE`): several workers on one machine each name
    themselves (ONESTOP_WORKER_NAME), so task instances say which one ran them."""
    import socket

    return os.environ.get(WORKER_NAME_VAR) or socket.getfqdn()


def backfill_landing(services: AirflowServices, warehouse_url: str, first: str, last: str, **options: str) -> None:
    """Unpause the nightly DAG (its scheduled next run put out of the way) and create a landing-only backfill of
    the runs whose logical dates lie in [first, last] (ISO moments), through the real scheduler."""
    import psycopg

    from onestop.warehouse import airflow_db_url

    with psycopg.connect(airflow_db_url(warehouse_url), autocommit=True) as conn:
        conn.execute("update dag set next_dagrun_create_after = '2100-01-01' where dag_id = 'onestop_nightly'")
        # An earlier test's backfill may still count as running (one per DAG at a time): end it.
        conn.execute("update backfill set completed_at = now() where completed_at is null")
    airflow(services, "dags", "unpause", "onestop_nightly")
    extra = [item for name, value in options.items() for item in (f"--{name.replace('_', '-')}", value)]
    airflow(
        services,
        *("backfill", "create", "--dag-id", "onestop_nightly", "--reprocess-behavior", "completed", *extra),
        *("--dag-run-conf", '{"transform": false}', "--from-date", first, "--to-date", last),
    )
