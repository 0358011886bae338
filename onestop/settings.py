"""Where onestop keeps its state, and the environment every process it starts must share.

One place decides paths and environment so that the CLI, the DAGs, dbt and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("ONESTOP_HOME") or Path(__file__).resolve().parents[1])

# Settings a user may override, with their defaults.
WAREHOUSE_URL_VAR = "ONESTOP_WAREHOUSE_URL"
STATE_DIR_VAR = "ONESTOP_STATE_DIR"

# No telemetry and no outbound calls from any library onestop runs.
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "SCARF_ANALYTICS": "false",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
}


def state_dir() -> Path:
    """The git-ignored folder holding the embedded warehouse, Airflow's home and generated files."""
    return Path(os.environ.get(STATE_DIR_VAR) or PROJECT_ROOT / ".onestop").resolve()


def apply_quiet_env() -> None:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
