"""The warehouse: which PostgreSQL onestop uses, and how to reach it as each role.

By default an embedded server under the project's state folder; `ONESTOP_WAREHOUSE_URL` points everything at
any PostgreSQL >= 15 instead. Airflow's metadata lives in a second database on the same server.
"""

from __future__ import annotations

import os
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from onestop.settings import WAREHOUSE_URL_VAR, state_dir
from onestop.warehouse.embedded import EmbeddedServer

WAREHOUSE_DB = "onestop"
ROLES = ("onestop_loader", "onestop_transformer", "onestop_bi")


def embedded() -> EmbeddedServer:
    return EmbeddedServer(state_dir() / "pg")


def is_external() -> bool:
    return bool(os.environ.get(WAREHOUSE_URL_VAR))


@cache
def _embedded_url() -> str:
    return embedded().start().url(WAREHOUSE_DB)


def warehouse_url() -> str:
    """The owner's URL of the warehouse database, starting the embedded server on demand."""
    return os.environ.get(WAREHOUSE_URL_VAR) or _embedded_url()


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def airflow_db_url(url: str | None = None) -> str:
    """Airflow's metadata database: `<warehouse db>_airflow` on the warehouse's server."""
    url = url or warehouse_url()
    return with_database(url, f"{database_name(url)}_airflow")


def sqlalchemy_url(url: str) -> str:
    """The same URL for SQLAlchemy with the psycopg 3 driver."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url


def role_url(role: str, password: str, url: str | None = None) -> str:
    parts = urlsplit(url or warehouse_url())
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
