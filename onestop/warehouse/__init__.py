"""The warehouse: which PostgreSQL onestop uses, and how to reach it as each role.

`ONESTOP_WAREHOUSE_URL` names it, always: the pipeline never starts a server, so a worker that lost its
environment fails naming the variable instead of writing into a throwaway database. On a laptop the local wing
(`onestop.local`: `make demo`, `make ui`, `onestop warehouse start`) runs an embedded server and sets the
variable for what it starts. Airflow's metadata lives in a second database on the same server.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from onestop.settings import ROLES as ROLES  # declared with the settings (their passwords); named here too
from onestop.settings import WAREHOUSE_URL_VAR, settings

WAREHOUSE_DB = "onestop"


class WarehouseNotConfigured(RuntimeError):
    """No warehouse is named: a configuration error, never a reason to start one."""


def warehouse_url() -> str:
    """The owner's URL of the warehouse database, from the environment."""
    url = settings().warehouse_url
    if not url:
        raise WarehouseNotConfigured(
            f"{WAREHOUSE_URL_VAR} is not set: set it to the warehouse's URL (postgresql://user:password@host:port/db)."
            " On a laptop, `make demo` or `onestop warehouse start` runs the embedded server; then"
            f" `export {WAREHOUSE_URL_VAR}=$(.venv/bin/onestop warehouse url)`."
        )
    return url


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
    # Percent-encoded: a password may hold any character (`@`, `/`, a space); every consumer decodes it.
    netloc = f"{role}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
