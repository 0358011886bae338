"""The local wing's servers (Airflow's components, Superset) as process groups: started in sessions of their own,
awaited until their health URL answers, and stopped with everything they forked."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping

import httpx


def wait_healthy(name: str, url: str, processes: Mapping[str, subprocess.Popen], timeout: float, logs) -> None:
    """Until `url` answers 200; fails at once, naming it, if a process exits first, and after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for component, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{component} exited ({process.returncode}); see {logs}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError(f"{name} did not answer within {timeout:.0f} s; see {logs}")


def stop_groups(processes: list[subprocess.Popen], grace: float = 30) -> None:
    """SIGTERM to each process group still running, then SIGKILL to any that outlives the grace period."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
