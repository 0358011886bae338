"""`make demo`: the main job on the embedded default, phase by phase, with a summary at the end."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

from onestop import warehouse
from onestop.airflow_env import airflow_environment
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
    if warehouse.is_external():
        return ["using the warehouse named by ONESTOP_WAREHOUSE_URL"]
    state = warehouse.embedded().start()
    return [f"embedded PostgreSQL on 127.0.0.1:{state.port}"]


def _migrate_airflow() -> list[str]:
    env = airflow_environment()
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stderr[-3000:]}")
    return [f"Airflow metadata in database {warehouse.database_name(env['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN'])}"]


def run_demo() -> int:
    started = time.monotonic()
    phase("warehouse", _start_warehouse)
    phase("bootstrap (sql/)", bootstrap.init)
    phase("Airflow metadata", _migrate_airflow)
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s")
    print(f"warehouse: {warehouse.warehouse_url().split('@')[-1]}  (onestop warehouse url --role bi for BI tools)")
    return 0
