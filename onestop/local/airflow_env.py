"""The environment Airflow runs in when onestop starts it: home, DAGs, metadata database, connections.

Everything is passed as environment variables (`AIRFLOW__*`, `AIRFLOW_CONN_*`), never written to a file, so
secrets stay out of the repository and a real deployment sets the same names its own way.
"""

from __future__ import annotations

import json
import os
import secrets

from onestop.night import LOCAL_TZ_NAME
from onestop.settings import PROJECT_ROOT, QUIET_ENV, WAREHOUSE_URL_VAR, settings, state_dir
from onestop.transform import dbt_env
from onestop.warehouse import sqlalchemy_url, warehouse_url
from onestop.warehouse.credentials import airflow_login_url

WAREHOUSE_CONN_ID = "onestop_warehouse"


def postgres_conn_json(url: str) -> str:
    """An Airflow `postgres` connection in JSON form from a libpq URL."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": parts.hostname,
            "port": parts.port or 5432,
            "login": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "schema": parts.path.lstrip("/"),
        }
    )


def _local_secret(name: str) -> str:
    """A secret generated once for this installation, kept in the git-ignored state folder."""
    path = state_dir() / "airflow" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def airflow_environment(url: str | None = None) -> dict[str, str]:
    from onestop.local import is_external

    url = url or warehouse_url()
    home = state_dir() / "airflow"
    port = str(settings().airflow_port)
    env = dict(QUIET_ENV)
    env.update(
        {
            WAREHOUSE_URL_VAR: url,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": LOCAL_TZ_NAME,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # Airflow's own login (warehouse init makes it the database's owner), never the server's owner.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(airflow_login_url(url, generate=not is_external())),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__API__EXPOSE_CONFIG": "False",
            # Every component (api-server, scheduler, workers) must share these to trust each other.
            "AIRFLOW__API_AUTH__JWT_SECRET": _local_secret("jwt_secret"),
            "AIRFLOW__API__SECRET_KEY": _local_secret("api_secret_key"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": port,
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            # The embedded default is a single-user laptop install: the UI opens without a login.
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "True",
            f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}": postgres_conn_json(url),
        }
    )
    # Cosmos' dbt tasks read the profile from the environment (never rendered fields): the transformer's login.
    env.update(dbt_env())
    return env


def apply_airflow_environment(url: str | None = None) -> dict[str, str]:
    """Set Airflow's environment in this process, keeping whatever the user already set."""
    env = airflow_environment(url)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    (state_dir() / "airflow").mkdir(parents=True, exist_ok=True)
    return env
