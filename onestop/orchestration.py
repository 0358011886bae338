"""Airflow's side of a deployment that onestop owns: its metadata database migrated and the pools the DAGs use
(`onestop airflow init`, run by compose's one-shot init, the demo and the tests)."""

from __future__ import annotations

import os
import subprocess
import sys

from onestop.settings import POOLS


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
