"""`onestop ui` (make ui) stopped as a process manager or a closed terminal stops it, with SIGTERM: every service
it started (api-server, scheduler, dag-processor, triggerer, each in a session of its own) stops with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.helpers.net import free_port


def children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def descendants(pid: int) -> set[int]:
    children = children_by_parent()
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_every_service_the_ui_started(airflow_db, tmp_path) -> None:
    port = free_port()
    env = {**os.environ, "ONESTOP_AIRFLOW_PORT": str(port)}
    with open(tmp_path / "ui.log", "w") as log:
        ui = subprocess.Popen(
            [sys.executable, "-m", "onestop.cli", "ui"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert ui.poll() is None, (tmp_path / "ui.log").read_text()[-3000:]
            if "Ctrl-C stops it" in (tmp_path / "ui.log").read_text():
                break
            time.sleep(1)
        health = httpx.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=10).json()
        assert health["metadatabase"]["status"] == "healthy", health
        # The four components (each retitles itself once running), and what they started in turn.
        assert len(children_by_parent().get(ui.pid, [])) == 4
        started = descendants(ui.pid)
        assert len(started) > 4
        ui.send_signal(signal.SIGTERM)
        assert ui.wait(timeout=90) == 0
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [pid for pid in started if alive(pid)]
    finally:
        if ui.poll() is None:
            ui.kill()
