"""`onestop warehouse init`: apply `sql/` in order, create Airflow's database, give the roles their passwords.

Every file in `sql/` is idempotent, so init may run on every start; docker-compose applies the same files.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import psycopg
from psycopg import sql

from onestop.settings import PROJECT_ROOT, settings, state_dir
from onestop.warehouse import ROLES, airflow_db_url, database_name, role_url, warehouse_url, with_database

SQL_DIR = PROJECT_ROOT / "sql"


def sql_files() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def ensure_database(url: str, name: str) -> bool:
    """Create database `name` on the server of `url` if missing. True if it was created."""
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


def role_passwords() -> dict[str, str]:
    """Each role's password: `ONESTOP_<ROLE>_PASSWORD` from the environment, else one generated once and kept
    in the git-ignored state folder (the embedded default)."""
    store = state_dir() / "roles.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    passwords = {}
    for role in ROLES:
        passwords[role] = settings().password(role) or saved.get(role) or secrets.token_urlsafe(18)
    if passwords != saved:
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(passwords))
        store.chmod(0o600)
    return passwords


def pii_key() -> str:
    """The key of the keyed hash: `ONESTOP_PII_KEY`, else one generated once and kept in the state folder."""
    if settings().pii_key:
        return settings().pii_key
    store = state_dir() / "pii_key"
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(secrets.token_urlsafe(32))
        store.chmod(0o600)
    return store.read_text().strip()


def init(url: str | None = None) -> list[str]:
    """Bootstrap the warehouse; return what was done, for the CLI to print."""
    url = url or warehouse_url()
    done = []
    if ensure_database(url, database_name(url)):
        done.append(f"created database {database_name(url)}")
    airflow_db = database_name(airflow_db_url(url))
    if ensure_database(url, airflow_db):
        done.append(f"created database {airflow_db}")
    with psycopg.connect(url) as conn:
        for path in sql_files():
            conn.execute(path.read_text())
            done.append(f"applied sql/{path.name}")
        if conn.execute("select audit.set_pseudonym_key(%s)", (pii_key(),)).fetchone()[0]:
            done.append("set the pseudonymisation key (a new key: staging must be rebuilt)")
        for role, password in role_passwords().items():
            if not _can_log_in(role_url(role, password, url)):
                conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(role), sql.Literal(password)))
                done.append(f"set the password of {role}")
    return done


def _can_log_in(url: str) -> bool:
    # Checked first so that a second init changes nothing (a new SCRAM salt would rewrite pg_authid).
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True
