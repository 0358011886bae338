"""Running dbt (`dbt_project/`) against the warehouse, as the transformer role.

The one warehouse URL is turned into the `ONESTOP_DBT_*` variables `dbt_project/profiles.yml` reads; the
profile switches to `onestop_transformer` (`role:`), so dbt can read `raw` and write `staging` and `marts` only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from onestop.settings import PROJECT_ROOT, QUIET_ENV, settings
from onestop.warehouse.credentials import login_url

DBT_PROJECT = PROJECT_ROOT / "dbt_project"


def dbt_env(url: str | None = None) -> dict[str, str]:
    """dbt's profile variables: the transformer's own login, unless a URL is given (`dbt parse`, tests)."""
    parts = urlsplit(url or login_url("onestop_transformer"))
    return {
        **QUIET_ENV,
        "ONESTOP_DBT_HOST": parts.hostname or "127.0.0.1",
        "ONESTOP_DBT_PORT": str(parts.port or 5432),
        "ONESTOP_DBT_USER": unquote(parts.username or ""),
        "ONESTOP_DBT_PASSWORD": unquote(parts.password or ""),
        "ONESTOP_DBT_DBNAME": parts.path.lstrip("/"),
        "DBT_PROFILES_DIR": str(DBT_PROJECT),
        # A model built alone (one Airflow task per model) runs a test on several models only once all of them
        # are built: with the last of its parents, not the first.
        "DBT_INDIRECT_SELECTION": "buildable",
        "DBT_PROJECT_DIR": str(DBT_PROJECT),
    }


def dbt_target() -> Path:
    """Where dbt writes its artifacts (run results, catalog): `DBT_TARGET_PATH` when set (each test worker has its
    own, beside its own warehouse), else the project's `target/`, which also holds the manifest the DAG renders."""
    return Path(os.environ.get("DBT_TARGET_PATH") or DBT_PROJECT / "target")


def dbt_executable() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dbt")


# `dbt parse` (the manifest Cosmos renders from) never connects: it needs a profile, not a warehouse.
PARSE_ONLY_URL = "postgresql://parse:parse@127.0.0.1:5432/onestop"


def run_dbt(*args: str, url: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run one dbt command in the project; its output goes to ours."""
    if args[:1] == ("parse",) and url is None:
        url = settings().warehouse_url or PARSE_ONLY_URL
    env = {**os.environ, **dbt_env(url)}
    result = subprocess.run([dbt_executable(), *args], cwd=DBT_PROJECT, env=env)
    if check and result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed with exit code {result.returncode}")
    return result
