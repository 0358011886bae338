"""Airflow's own processes (api-server, scheduler, dag-processor, triggerer, workers) started for onestop: for
`make ui`, the demo and the tests that need the real scheduler (backfills, scale-out)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from onestop.local.airflow_env import airflow_environment
from onestop.local.processes import stop_groups, wait_healthy
from onestop.settings import state_dir


class AirflowServices:
    def __init__(
        self,
        # The triggerer runs deferred tasks: a dbt node's task whose outcome is not yet known waits there.
        components: tuple[str, ...] = ("api-server", "scheduler", "dag-processor", "triggerer"),
        extra_env: dict[str, str] | None = None,
        log_dir: Path | None = None,
    ):
        self.components = components
        self.env = {**os.environ, **airflow_environment(), **(extra_env or {})}
        self.log_dir = log_dir or state_dir() / "airflow" / "services"
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def base_url(self) -> str:
        return self.env["AIRFLOW__API__BASE_URL"]

    def start(self, timeout: float = 180) -> AirflowServices:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for component in self.components:
            name, *args = component.split()
            with open(self.log_dir / f"{component.replace(' ', '_')}.log", "ab") as log:
                self.processes[component] = subprocess.Popen(
                    [sys.executable, "-m", "airflow", name, *args],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        if "api-server" in self.components:
            health = f"{self.base_url}/api/v2/monitor/health"
            named = {f"airflow {component}": process for component, process in self.processes.items()}
            wait_healthy("the Airflow api-server", health, named, timeout, self.log_dir)
        return self

    def stop(self) -> None:
        stop_groups(list(self.processes.values()))
        self.processes.clear()

    def __enter__(self) -> AirflowServices:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
